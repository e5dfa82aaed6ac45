// The call page's shared notes: a Yjs document edited in CodeMirror 6 by everyone on the page,
// kept in IndexedDB (y-indexeddb) so that edits made offline survive a closed tab, and synced
// with the server over a WebSocket (connection.js). Bundled by `make js` (esbuild).
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as awarenessProtocol from 'y-protocols/awareness'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import { EditorView, keymap } from '@codemirror/view'
import { EditorState } from '@codemirror/state'
import { defaultKeymap } from '@codemirror/commands'
import { Connection } from './connection.js'
import { COLOURS, remoteCursors } from './cursors.js'

function socketUrl (path) {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${window.location.host}${path}`
}

function renderStatus (status, conn, store) {
  const pending = Math.max(conn.pending, 0)
  let text
  if (!conn.connected) {
    text = pending ? `Offline: ${pending} edit${pending === 1 ? '' : 's'} waiting` : 'Offline'
  } else if (pending) {
    text = `Saving… (${pending} edit${pending === 1 ? '' : 's'} waiting)`
  } else {
    text = 'Saved'
  }
  if (conn.notice) text += ` · ${conn.notice}`
  status.textContent = text
  status.classList.toggle('is-offline', !conn.connected)
  status.classList.toggle('is-saved', conn.connected && !pending)
  store.setItem('pending', String(pending))
}

function renderPresence (list, awareness, ytext, view) {
  const items = []
  awareness.getStates().forEach((state, client) => {
    if (!state.user) return
    const li = document.createElement('li')
    li.className = `live-c${(state.user.colour || 0) % COLOURS}`
    let where = ''
    if (state.cursor && state.cursor.head) {
      const pos = Y.createAbsolutePositionFromRelativePosition(state.cursor.head, ytext.doc)
      if (pos && pos.type === ytext && pos.index <= view.state.doc.length) {
        where = `, line ${view.state.doc.lineAt(pos.index).number}`
      }
    }
    li.textContent = `${state.user.name}${client === awareness.doc.clientID ? ' (you)' : ''}${where}`
    items.push(li)
  })
  list.replaceChildren(...items)
}

// Pending edits survive a reload: the count is kept beside the IndexedDB copy.
function pendingStore (key) {
  const name = `cadence-notes-pending-${key}`
  return {
    get: () => Number(window.localStorage.getItem(name) || 0),
    setItem: (_k, value) => window.localStorage.setItem(name, value)
  }
}

function guardSave (form, conn, status) {
  let allowed = false
  form.addEventListener('submit', event => {
    if (allowed || conn.pending <= 0) return
    event.preventDefault()
    if (!conn.connected) {
      status.textContent = `Offline: ${conn.pending} edits waiting; Save once they are stored.`
      return
    }
    const submitter = event.submitter
    const started = Date.now()
    const wait = () => {
      if (conn.pending <= 0 || Date.now() - started > 10000) {
        allowed = true
        form.requestSubmit(submitter)
      } else {
        setTimeout(wait, 50)
      }
    }
    wait()
  })
}

function start (root) {
  const doc = new Y.Doc()
  const ytext = doc.getText('notes')
  const awareness = new awarenessProtocol.Awareness(doc)
  const status = document.getElementById('live-status')
  const presence = document.getElementById('live-presence')
  const store = pendingStore(root.dataset.key)
  const idb = new IndexeddbPersistence(`cadence-notes-${root.dataset.key}`, doc)
  idb.whenSynced.then(() => {
    const conn = new Connection(socketUrl(root.dataset.socket), doc, awareness, () => {
      renderStatus(status, conn, store)
    })
    conn.edits = store.get()
    const undoManager = new Y.UndoManager(ytext)
    const view = new EditorView({
      parent: root,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
          EditorView.lineWrapping,
          EditorView.cspNonce.of(root.dataset.nonce),
          EditorView.contentAttributes.of({ 'aria-label': 'Shared notes', 'aria-multiline': 'true' }),
          yCollab(ytext, null, { undoManager }),
          remoteCursors(ytext, awareness)
        ]
      })
    })
    const fallback = document.getElementById('live-text')
    if (fallback) fallback.remove()
    doc.on('update', (update, origin) => {
      if (origin !== conn && origin !== idb) conn.localUpdate(update)
    })
    awareness.on('update', ({ added, updated, removed }, origin) => {
      if (origin === 'local') conn.localAwareness(added.concat(updated, removed))
    })
    awareness.on('change', () => renderPresence(presence, awareness, ytext, view))
    awareness.setLocalState({ user: { name: root.dataset.user, colour: doc.clientID % COLOURS } })
    window.addEventListener('pagehide', () => {
      awarenessProtocol.removeAwarenessStates(awareness, [doc.clientID], 'window unload')
    })
    const form = document.getElementById('live-save')
    if (form) guardSave(form, conn, status)
    // The panels (live-panels.js) preview follow-ups, decisions and attendees from the text.
    const announce = () => document.dispatchEvent(
      new CustomEvent('live-notes-changed', { detail: { text: ytext.toString() } }))
    ytext.observe(announce)
    announce()
    window.addEventListener('offline', () => conn.pause())
    window.addEventListener('online', () => conn.resume())
    renderStatus(status, conn, store)
    conn.start()
  })
}

const root = document.getElementById('live-editor')
if (root) start(root)
