// A lean socket.io v5 / engine.io v4 client over the `ws` package, for thousands of bots in one
// process: no socket.io-client, no per-message JSON parse of telemetry.
//
// Wire protocol used (websocket transport only, text frames):
//   engine.io: `0{…}` open (server), `2` ping (server) → `3` pong, `1` close, `4…` a message
//   socket.io (inside an engine.io message): `0{auth}` connect (client) → `0{"sid":…}` ok or
//   `4{…}` connect error; `2["name",…]` event; `2<id>["name",…]` event with an ack id;
//   `3<id>[…]` the ack.
import WebSocket from 'ws';

const C0 = 0x30; // '0'
const C1 = 0x31;
const C2 = 0x32;
const C3 = 0x33;
const C4 = 0x34;

export interface SioHandlers {
  /** A telemetry frame, raw (`42["telemetry",{…}]`). */
  telemetry?(raw: Buffer): void;
  /** Any other event, by name (raw text, unparsed). */
  event?(name: string, raw: Buffer): void;
  close?(code: number): void;
}

export class SioClient {
  readonly ws: WebSocket;
  private nextAck = 1;
  private readonly acks = new Map<number, (reply: any) => void>();
  /** Resolves once socket.io accepted the handshake auth; rejects with the connect error. */
  readonly ready: Promise<void>;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  connected = false;

  constructor(url: string, private readonly auth: object, public handlers: SioHandlers, localAddress?: string) {
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.onText(data);
    });
    this.ws.on('error', (err) => this.settle.reject(err));
    this.ws.on('close', (code) => {
      this.connected = false;
      this.settle.reject(new Error(`closed (${code}) before connecting`));
      this.handlers.close?.(code);
    });
  }

  private onText(b: Buffer): void {
    const eio = b[0];
    if (eio === C4) {
      const sio = b[1];
      if (sio === C2) {
        // `42["telemetry",` is the hot path: hand it over raw.
        if (b[4] === 0x74 /* t */ && b[5] === 0x65 && b[6] === 0x6c && b[7] === 0x65) return this.handlers.telemetry?.(b);
        const end = b.indexOf(0x22 /* " */, 4);
        this.handlers.event?.(b.toString('latin1', 4, end), b);
      } else if (sio === C3) {
        let i = 2;
        let id = 0;
        while (b[i] >= C0 && b[i] <= C0 + 9) id = id * 10 + (b[i++] - C0);
        const cb = this.acks.get(id);
        if (cb) {
          this.acks.delete(id);
          const args = JSON.parse(b.toString('utf8', i)) as unknown[];
          cb(args[0]);
        }
      } else if (sio === C0) {
        this.connected = true;
        this.settle.resolve();
      } else if (sio === C4) {
        let message = b.toString('utf8', 2);
        try {
          message = JSON.stringify((JSON.parse(message) as { data?: unknown }).data ?? message);
        } catch {
          // keep the raw text
        }
        this.settle.reject(new Error(`connect refused: ${message}`));
        this.ws.close();
      } else if (sio === C1) {
        this.connected = false;
      }
    } else if (eio === C2) {
      this.ws.send('3');
    } else if (eio === C0) {
      this.ws.send('40' + JSON.stringify(this.auth));
    } else if (eio === C1) {
      this.ws.close();
    }
  }

  /** Emits `name` with `payload` and an ack id; `onAck` gets the server's reply. */
  emitWithAck(name: string, payload: object, onAck: (reply: any) => void): void {
    const id = this.nextAck++;
    this.acks.set(id, onAck);
    this.ws.send(`42${id}${JSON.stringify([name, payload])}`);
  }

  /** Pending acknowledgements (sent, not answered). */
  get pending(): number {
    return this.acks.size;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send('41');
    this.ws.close();
  }
}

/** `"t":123.5` inside a raw telemetry frame; NaN when absent. */
export function frameTime(raw: Buffer): number {
  const i = raw.indexOf('"t":', 14);
  if (i < 0) return NaN;
  let j = i + 4;
  while (j < raw.length && raw[j] !== 0x2c /* , */ && raw[j] !== 0x7d /* } */) j++;
  return Number(raw.toString('latin1', i + 4, j));
}
