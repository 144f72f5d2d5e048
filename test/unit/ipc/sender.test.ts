// Which IPC senders Electron main answers: only our window's main frame, showing our renderer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTrustedSender, originOf } from '../../../electron/main/sender.ts';

// Stand-ins for Electron's WebContents / WebFrameMain: the check only reads these fields.
const frame = (url: string, id: number, parent: unknown = null) =>
  ({ url, parent, frameTreeNodeId: id }) as never;
const ORIGIN = 'app://studio';

function window(url = `${ORIGIN}/index.html`) {
  const mainFrame = frame(url, 1);
  return { contents: { mainFrame }, mainFrame };
}

describe('originOf', () => {
  test('keeps scheme, host and port, including for custom schemes', () => {
    assert.equal(originOf('app://studio/index.html?x#y'), 'app://studio');
    assert.equal(originOf('http://localhost:5173/'), 'http://localhost:5173');
    assert.equal(originOf('https://example.com/a'), 'https://example.com');
  });

  test('tells app:// hosts apart (URL#origin is "null" for both in Node)', () => {
    assert.notEqual(originOf('app://studio/'), originOf('app://evil/'));
  });

  test('is null for URLs without a host or unparsable input', () => {
    for (const u of ['file:///etc/passwd', 'about:blank', 'data:text/html,hi', 'not a url', ''])
      assert.equal(originOf(u), null, u);
  });
});

describe('isTrustedSender', () => {
  test('accepts our main frame on our origin', () => {
    const w = window();
    assert.equal(
      isTrustedSender({ sender: w.contents, senderFrame: w.mainFrame }, w.contents, ORIGIN),
      true,
    );
  });

  test('refuses another webContents, even with a frame that looks like ours', () => {
    const ours = window();
    const other = window();
    assert.equal(
      isTrustedSender(
        { sender: other.contents, senderFrame: other.mainFrame },
        ours.contents,
        ORIGIN,
      ),
      false,
    );
  });

  test('refuses when there is no window', () => {
    const w = window();
    assert.equal(
      isTrustedSender({ sender: w.contents, senderFrame: w.mainFrame }, null, ORIGIN),
      false,
    );
  });

  test('refuses a subframe (an iframe) of our window', () => {
    const w = window();
    const iframe = frame(`${ORIGIN}/index.html`, 2, w.mainFrame);
    assert.equal(
      isTrustedSender({ sender: w.contents, senderFrame: iframe }, w.contents, ORIGIN),
      false,
    );
  });

  test('refuses a destroyed or navigated-away frame (senderFrame null)', () => {
    const w = window();
    assert.equal(
      isTrustedSender({ sender: w.contents, senderFrame: null }, w.contents, ORIGIN),
      false,
    );
  });

  test('refuses our main frame after it navigated to another origin', () => {
    for (const url of [
      'https://evil.example/',
      'app://evil/index.html',
      'http://localhost:5173/',
      'file:///tmp/x.html',
    ]) {
      const w = window(url);
      assert.equal(
        isTrustedSender({ sender: w.contents, senderFrame: w.mainFrame }, w.contents, ORIGIN),
        false,
        url,
      );
    }
  });

  test('accepts the dev server origin when that is ours', () => {
    const w = window('http://localhost:5173/');
    assert.equal(
      isTrustedSender(
        { sender: w.contents, senderFrame: w.mainFrame },
        w.contents,
        'http://localhost:5173',
      ),
      true,
    );
  });
});
