// Backpressure in browser mode's WebSocket transport, over a real socket to a client in another
// process (as a browser is): a client that floods requests and reads nothing costs the server a
// bounded amount of work and memory, then is dropped; a client that reads gets every answer.
// The dispatcher stands in for the training host, answering as `model:inspect` does (large
// results, a little later): the socket is the subject here, not the host.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Result } from '../../../src/shared/contract.ts';
import { MAX_IN_FLIGHT } from '../../../src/host/ws-flow.ts';
import { attachWsTransport, WS_PATH, type WsTransport } from '../../../src/host/ws-transport.ts';

const ANSWER_CHARS = 256 * 1024;

/** Sends `count` requests; "reads" counts the answers, "deaf" never reads one. */
const CLIENT = `
import { WebSocket } from 'ws';
import { encode } from '@msgpack/msgpack';
const [url, count, mode] = process.argv.slice(1);
const ws = new WebSocket(url);
let answers = 0;
setInterval(() => {}, 1000); // a paused socket alone would let the process exit
ws.on('open', () => {
  if (mode === 'deaf') ws.pause();
  for (let id = 0; id < +count; id++)
    ws.send(encode({ kind: 'invoke', id, channel: 'model:inspect', arg: null }));
});
ws.on('message', () => { if (++answers === +count) { console.log(answers); process.exit(0); } });
ws.on('close', () => { console.log(answers); process.exit(0); });
`;

describe('WebSocket backpressure', () => {
  let server: Server;
  let transport: WsTransport;
  let url: string;
  let running = 0;
  let mostRunning = 0;
  let answered = 0;
  const logs: string[] = [];

  before(async () => {
    server = createServer();
    transport = attachWsTransport(server, {
      dispatch: async (): Promise<Result<unknown>> => {
        mostRunning = Math.max(mostRunning, ++running);
        await sleep(1);
        running--;
        answered++;
        return { ok: true, value: 'x'.repeat(ANSWER_CHARS) };
      },
      subscribe: () => () => {},
      admit: () => null,
      log: (m) => logs.push(m),
      flow: { maxBuffered: 1024 * 1024, stallMs: 500 },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WS_PATH}`;
  });
  after(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (count: number, mode: 'reads' | 'deaf') => {
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      CLIENT,
      url,
      `${count}`,
      mode,
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    const done = new Promise<number>((resolve) => child.once('exit', () => resolve(Number(out))));
    return { child, done };
  };

  test('a client that reads gets all 300 answers, at most 8 worked on at once', async () => {
    const { done } = client(300, 'reads');
    assert.equal(await done, 300);
    assert.equal(mostRunning, MAX_IN_FLIGHT);
    assert.deepEqual(logs, []);
  });

  test('a client that stops reading is dropped before its 1000 answers fill the memory', async () => {
    // The last test's client first: its close can still be on its way, and counting it as this
    // one would end the wait below before this client even connects.
    while (transport.clientCount() > 0) await sleep(10);
    answered = 0;
    const { child, done } = client(1000, 'deaf');
    while (transport.clientCount() === 0) await sleep(10);
    while (transport.clientCount() > 0) await sleep(20);
    // The OS's loopback buffers absorb a few MB, the server's budget 1 MB more; then it waits.
    assert.ok(answered < 100, `${answered} answers of 256 kB were made before the drop`);
    assert.match(logs.join('\n'), /dropped: it stopped reading/);
    child.kill();
    await done;
  });
});
