// The few browser globals the specs use inside page.evaluate. The Node tsconfig has no DOM lib
// (adding it would let DOM names leak into src/ unchecked), so code that runs in the page reads
// them through `globalThis as unknown as PageGlobals`. Types only: nothing here runs.

export interface PageSocketEvent {
  data?: unknown;
  code?: number;
}

export interface PageSocket {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number): void;
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: PageSocketEvent) => void,
  ): void;
}

export interface PageGlobals {
  WebSocket: new (url: string) => PageSocket;
  Uint8Array: Uint8ArrayConstructor;
  /** protocol.spec.ts exposes it: the kind of a frame, decoded by the test with the app's codec. */
  wireKind(bytes: number[]): Promise<string>;
  location: { host: string; search: string };
  performance: { now(): number };
  requestAnimationFrame(callback: (time: number) => void): number;
  setTimeout(callback: () => void, ms: number): number;
  /** CSS transitions carry `transitionProperty`; keyframe animations (some loop forever) do not. */
  document: { getAnimations(): { finished: Promise<unknown>; transitionProperty?: string }[] };
}
