// Remote cursors and selections, coloured by class (live-c0 … live-c7): the page's CSP refuses
// style attributes, so the colours live in css/live.css. Also publishes our own cursor in the
// awareness state, as y-codemirror.next's own plugin does.
import * as Y from 'yjs'
import { Decoration, ViewPlugin, WidgetType } from '@codemirror/view'
import { RangeSet } from '@codemirror/state'

export const COLOURS = 8

class Caret extends WidgetType {
  constructor (colour, name) {
    super()
    this.colour = colour
    this.name = name
  }

  toDOM () {
    const caret = document.createElement('span')
    caret.className = `cm-ycaret live-c${this.colour}`
    const label = document.createElement('span')
    label.className = `cm-ycaret-name live-c${this.colour}`
    label.textContent = this.name
    caret.append('\u2060', label, '\u2060')
    return caret
  }

  eq (other) { return other.colour === this.colour && other.name === this.name }
  ignoreEvent () { return true }
}

function publishOwn (update, ytext, awareness) {
  const own = awareness.getLocalState()
  if (own == null) return
  const focused = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus()
  if (!focused) return
  const sel = update.state.selection.main
  const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor)
  const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head)
  const now = own.cursor
  if (now == null ||
      !Y.compareRelativePositions(Y.createRelativePositionFromJSON(now.anchor), anchor) ||
      !Y.compareRelativePositions(Y.createRelativePositionFromJSON(now.head), head)) {
    awareness.setLocalStateField('cursor', { anchor, head })
  }
}

function decorationsFor (state, ytext, ydoc, doc) {
  const cursor = state.cursor
  if (cursor == null || cursor.anchor == null || cursor.head == null) return []
  const anchor = Y.createAbsolutePositionFromRelativePosition(cursor.anchor, ydoc)
  const head = Y.createAbsolutePositionFromRelativePosition(cursor.head, ydoc)
  if (anchor == null || head == null || anchor.type !== ytext || head.type !== ytext) return []
  const user = state.user || {}
  const colour = Number.isInteger(user.colour) ? user.colour % COLOURS : 0
  const from = Math.min(anchor.index, head.index, doc.length)
  const to = Math.min(Math.max(anchor.index, head.index), doc.length)
  const found = []
  if (to > from) {
    found.push(Decoration.mark({ class: `cm-yselection live-c${colour}` }).range(from, to))
  }
  const at = Math.min(head.index, doc.length)
  found.push(Decoration.widget({ side: head.index - anchor.index > 0 ? -1 : 1, widget: new Caret(colour, user.name || '?') }).range(at))
  return found
}

export function remoteCursors (ytext, awareness) {
  return ViewPlugin.fromClass(class {
    constructor (view) {
      this.decorations = RangeSet.of([])
      this.listener = ({ added, updated, removed }) => {
        const others = added.concat(updated, removed).some(id => id !== awareness.doc.clientID)
        if (others) setTimeout(() => view.dispatch({}), 0)
      }
      awareness.on('change', this.listener)
    }

    destroy () { awareness.off('change', this.listener) }

    update (update) {
      publishOwn(update, ytext, awareness)
      const found = []
      awareness.getStates().forEach((state, client) => {
        if (client !== awareness.doc.clientID) found.push(...decorationsFor(state, ytext, ytext.doc, update.state.doc))
      })
      this.decorations = Decoration.set(found, true)
    }
  }, { decorations: plugin => plugin.decorations })
}
