// A lean HTTP/1.1 client connection for load mode (issue 5): one keep-alive socket, one request in flight, each
// request written at once, and just enough of the answer parsed to know its status and where it ends
// (Content-Length, chunked, or until close). undici's `request()` spent about 1.6 times autocannon's CPU per request
// with a fixed body (a stream per answer body, a promise chain, header objects; measured on Node 20, undici 7), and in
// load mode the client's CPU is what limits the rate.
// Plain http only; https targets keep the undici path (src/core/load.ts).
import { connect, type Socket } from 'node:net';

/** Why a request got no complete answer; `code` is what load.ts counts by. */
export class Http1Error extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const timeoutCode = 'LOAD_TIMEOUT';
export const closedCode = 'LOAD_CLOSED';
export const protocolCode = 'LOAD_BAD_RESPONSE';

/** Response heads larger than this are refused (undici's default max header size is 16 KiB; a little more here). */
const maxHead = 64 * 1024;
/** Bodies are read and dropped up to this size; a larger answer ends the connection (undici `dump({ limit })`). */
const maxBody = 64 * 1024;

/** Every connection reads into this one buffer (one JavaScript thread: each read is parsed before the next). */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** Where in the answer the parser is. */
const Phase = { Head: 0, Fixed: 1, ChunkSize: 2, ChunkData: 3, ChunkDataEnd: 4, Trailers: 5, UntilClose: 6 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

export interface Http1Target {
  host: string;
  port: number;
}

/**
 * One connection. `request` writes the request given (request line, headers and body: a string is written as UTF-8,
 * so an ASCII head and a text body go as one string) and resolves the status code once the whole answer has arrived; it rejects with an Http1Error (or the socket's own error, e.g.
 * ECONNREFUSED) when there is no complete answer. At most one request at a time.
 */
export class Http1Connection {
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resolve: ((status: number) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  private phase: Phase = Phase.Head;
  private head: Buffer | undefined;
  private status = 0;
  private keepAlive = true;
  private remaining = 0;
  private bodyBytes = 0;

  constructor(
    private readonly target: Http1Target,
    private readonly timeoutMs: number,
  ) {}

  request(bytes: string | Buffer): Promise<number> {
    if (this.resolve) return Promise.reject(new Error('Http1Connection: a request is already in flight'));
    return new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.phase = Phase.Head;
      this.head = undefined;
      this.status = 0;
      this.bodyBytes = 0;
      const socket = this.socket ?? this.open();
      // 0 is no time limit, as undici's headersTimeout/bodyTimeout 0 (the https path) is.
      if (this.timer) this.timer.refresh();
      else if (this.timeoutMs > 0) {
        // setTimeout takes at most 2^31 − 1 ms (about 24.8 days); beyond that it would fire at once.
        this.timer = setTimeout(() => this.onTimeout(), Math.min(this.timeoutMs, 2 ** 31 - 1));
        this.timer.unref();
      }
      socket.write(bytes);
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.drop(new Http1Error(closedCode, 'the connection was closed'));
  }

  private open(): Socket {
    // Reads land in one reused buffer, handed over as they come, without a 'data' event per read (net's `onread`):
    // the parser copies whatever it keeps past the call.
    const socket: Socket = connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (bytes: number, buffer: Uint8Array): boolean => {
          if (this.socket === socket) this.onData(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true;
        },
      },
    });
    socket.on('end', () => {
      if (this.socket !== socket) return;
      // An answer without a length ends with the connection.
      if (this.resolve && this.phase === Phase.UntilClose) this.finish(false);
      else this.drop(new Http1Error(closedCode, 'the target closed the connection before a complete answer'));
    });
    socket.on('error', (error) => {
      if (this.socket === socket) this.drop(error);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.drop(new Http1Error(closedCode, 'the target closed the connection before a complete answer'));
    });
    this.socket = socket;
    return socket;
  }

  /** Ends the socket; a request in flight fails with `error`. */
  private drop(error: unknown): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    const reject = this.reject;
    this.resolve = undefined;
    this.reject = undefined;
    reject?.(error);
  }

  private onTimeout(): void {
    if (this.resolve) this.drop(new Http1Error(timeoutCode, `no complete answer within ${this.timeoutMs} ms`));
  }

  private finish(reuse: boolean): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    this.reject = undefined;
    this.head = undefined;
    if (!reuse || !this.keepAlive) {
      const socket = this.socket;
      this.socket = undefined;
      socket?.destroy();
    }
    resolve?.(this.status);
  }

  private onData(chunk: Buffer): void {
    if (!this.resolve) {
      // Bytes nobody asked for: the connection is out of step; never reuse it.
      this.drop(new Http1Error(protocolCode, 'the target sent data with no request in flight'));
      return;
    }
    let data = chunk;
    let at = 0;
    while (this.resolve) {
      if (this.phase === Phase.Head) {
        const joined: Buffer = this.head === undefined ? (at === 0 ? data : data.subarray(at)) : Buffer.concat([this.head, data.subarray(at)]);
        const end = joined.indexOf('\r\n\r\n', 0, 'latin1');
        if (end === -1) {
          if (joined.length > maxHead) return this.drop(new Http1Error(protocolCode, 'the answer headers are too large'));
          this.head = Buffer.from(joined);
          return;
        }
        this.head = undefined;
        if (!this.parseHead(joined.toString('latin1', 0, end))) return;
        data = joined;
        at = end + 4;
        if (this.status < 200) continue; // 1xx: an interim answer; the real one follows
        if ((this.phase as Phase) === Phase.Fixed && this.remaining > maxBody) return this.finish(false);
      } else if (this.phase === Phase.Fixed) {
        const take = Math.min(this.remaining, data.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining > 0) return;
        return this.complete(at, data);
      } else if (this.phase === Phase.UntilClose) {
        this.bodyBytes += data.length - at;
        if (this.bodyBytes > maxBody) this.finish(false);
        return;
      } else if (this.phase === Phase.ChunkData) {
        const take = Math.min(this.remaining, data.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining > 0) return;
        this.phase = Phase.ChunkDataEnd;
      } else {
        // ChunkSize, ChunkDataEnd, Trailers: line based.
        const joined: Buffer = this.head === undefined ? (at === 0 ? data : data.subarray(at)) : Buffer.concat([this.head, data.subarray(at)]);
        const eol = joined.indexOf('\r\n', 0, 'latin1');
        if (eol === -1) {
          if (joined.length > maxHead) return this.drop(new Http1Error(protocolCode, 'a chunked answer line is too long'));
          this.head = Buffer.from(joined);
          return;
        }
        this.head = undefined;
        const line = joined.toString('latin1', 0, eol);
        data = joined;
        at = eol + 2;
        if (this.phase === Phase.ChunkDataEnd) {
          if (line !== '') return this.drop(new Http1Error(protocolCode, 'a chunk does not end with CRLF'));
          this.phase = Phase.ChunkSize;
        } else if (this.phase === Phase.ChunkSize) {
          const size = /^([0-9a-fA-F]{1,8})[\t ]*(?:;.*)?$/.exec(line);
          if (!size) return this.drop(new Http1Error(protocolCode, 'a chunk size is not hex'));
          this.remaining = Number.parseInt(size[1] as string, 16);
          if (this.remaining === 0) this.phase = Phase.Trailers;
          else {
            this.bodyBytes += this.remaining;
            if (this.bodyBytes > maxBody) return this.finish(false);
            this.phase = Phase.ChunkData;
          }
        } else if (line === '') {
          return this.complete(at, data);
        }
      }
    }
  }

  /** The answer ended at `at`; anything after it is a protocol error (one request in flight, nothing pipelined). */
  private complete(at: number, data: Buffer): void {
    this.finish(at === data.length);
  }

  /** Reads the status line and the framing headers; false when it failed the request. */
  private parseHead(text: string): boolean {
    const lineEnd = text.indexOf('\r\n');
    const statusLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
    const match = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(statusLine);
    if (!match) {
      this.drop(new Http1Error(protocolCode, 'the answer does not start with an HTTP/1.x status line'));
      return false;
    }
    const minor = match[1];
    this.status = Number(match[2]);
    let length: number | undefined;
    let chunked = false;
    let connection = '';
    if (lineEnd !== -1) {
      for (const line of text.slice(lineEnd + 2).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        if (name === 'content-length') {
          const value = line.slice(colon + 1).trim();
          if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) {
            this.drop(new Http1Error(protocolCode, 'the answer has an invalid Content-Length'));
            return false;
          }
          length = Number(value);
        } else if (name === 'transfer-encoding') {
          chunked = line.slice(colon + 1).trim().toLowerCase().endsWith('chunked');
        } else if (name === 'connection') {
          connection += `${line.slice(colon + 1).toLowerCase()},`;
        }
      }
    }
    if (this.status === 101) {
      this.drop(new Http1Error(protocolCode, 'the target switched protocols'));
      return false;
    }
    if (this.status < 200) return true;
    const tokens = connection.split(',').map((token) => token.trim());
    this.keepAlive = minor === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    if (this.status === 204 || this.status === 304) {
      this.phase = Phase.Fixed;
      this.remaining = 0;
    } else if (chunked) {
      this.phase = Phase.ChunkSize;
    } else if (length !== undefined) {
      this.phase = Phase.Fixed;
      this.remaining = length;
    } else {
      this.phase = Phase.UntilClose;
      this.keepAlive = false;
    }
    return true;
  }
}
