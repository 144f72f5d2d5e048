// Which IPC senders main trusts: only the main frame of our own window, showing our own renderer.
// Pure (type-only electron import) so it can be unit-tested without the Electron runtime.
import type { WebContents, WebFrameMain } from 'electron';

type Frame = Pick<WebFrameMain, 'url' | 'parent' | 'frameTreeNodeId'>;
export interface SenderInfo {
  sender: unknown;
  senderFrame: Frame | null;
}
export type OurContents = Pick<WebContents, 'mainFrame'> | null;

/**
 * `scheme://host[:port]`. Not URL#origin, which is "null" for custom schemes such as app://
 * in Node, so every app:// URL would compare equal.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host === '' ? null : `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** True when the request comes from `contents`' main frame and that frame shows `origin`. */
export function isTrustedSender(event: SenderInfo, contents: OurContents, origin: string): boolean {
  if (!contents || event.sender !== contents) return false;
  const frame = event.senderFrame; // null once the frame has navigated away or been destroyed
  if (!frame || frame.parent !== null) return false;
  if (frame !== contents.mainFrame && frame.frameTreeNodeId !== contents.mainFrame.frameTreeNodeId)
    return false;
  return originOf(frame.url) === origin;
}
