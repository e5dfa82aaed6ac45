// The socket to the server: the Yjs sync and awareness protocols (y-protocols), plus Cadence's
// acknowledgement (type 100: "your first N updates on this socket are stored") and notice (101).
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'

const SYNC = 0
const AWARENESS = 1
const ACK = 100
const NOTICE = 101

export class Connection {
  constructor (url, doc, awareness, onChange) {
    this.url = url
    this.doc = doc
    this.awareness = awareness
    this.onChange = onChange
    this.ws = null
    this.connected = false
    this.sent = 0 // update messages sent on this socket
    this.covered = [] // [message number, local edits it covers]
    this.notice = ''
    this.delay = 500
    this.paused = false
    this.edits = 0 // local edits made
    this.acked = 0 // local edits the server has stored
  }

  get pending () { return this.edits - this.acked }

  start () {
    if (this.paused || this.ws) return
    const ws = new WebSocket(this.url)
    ws.binaryType = 'arraybuffer'
    this.ws = ws
    ws.onopen = () => {
      this.connected = true
      this.delay = 500
      this.sent = 0
      this.covered = []
      this.notice = ''
      this.send(this.encode(SYNC, e => syncProtocol.writeSyncStep1(e, this.doc)))
      if (this.awareness.getLocalState() !== null) {
        this.send(this.encode(AWARENESS, e => encoding.writeVarUint8Array(e,
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]))))
      }
      this.onChange()
    }
    ws.onmessage = event => this.receive(new Uint8Array(event.data))
    ws.onclose = () => {
      const was = this.connected
      this.connected = false
      this.ws = null
      const others = Array.from(this.awareness.getStates().keys()).filter(c => c !== this.doc.clientID)
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
      this.onChange()
      if (!this.paused) setTimeout(() => this.start(), was ? 200 : this.delay)
      this.delay = Math.min(this.delay * 2, 5000)
    }
  }

  // The browser says the network is gone: close now (a socket may otherwise hang for minutes)
  // and count edits as waiting; reconnect when it is back.
  pause () {
    this.paused = true
    if (this.ws) this.ws.close()
  }

  resume () {
    if (!this.paused) return
    this.paused = false
    if (!this.ws) this.start()
  }

  encode (type, write) {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, type)
    write(encoder)
    return encoding.toUint8Array(encoder)
  }

  send (data) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(data)
  }

  sendUpdate (message) {
    this.sent += 1
    this.covered.push([this.sent, this.edits])
    this.send(message)
  }

  localUpdate (update) {
    this.edits += 1
    if (this.connected) {
      this.sendUpdate(this.encode(SYNC, e => syncProtocol.writeUpdate(e, update)))
    }
    this.onChange()
  }

  localAwareness (changed) {
    if (!this.connected) return
    this.send(this.encode(AWARENESS, e => encoding.writeVarUint8Array(e,
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))))
  }

  receive (data) {
    const decoder = decoding.createDecoder(data)
    const type = decoding.readVarUint(decoder)
    if (type === SYNC) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, SYNC)
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
      if (encoding.length(encoder) > 1) this.sendUpdate(encoding.toUint8Array(encoder))
    } else if (type === AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
    } else if (type === ACK) {
      const count = decoding.readVarUint(decoder)
      while (this.covered.length && this.covered[0][0] <= count) {
        this.acked = Math.max(this.acked, this.covered.shift()[1])
      }
      this.onChange()
    } else if (type === NOTICE) {
      this.notice = decoding.readVarString(decoder)
      this.onChange()
    }
  }
}
