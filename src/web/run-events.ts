// Live progress of the running runs as server-sent events: the inventory's runs read every
// `pollMs`, an event sent whenever they differ from the last one sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Inventory } from '../inventory/index.js';
import { runJson } from './json.js';

const HEARTBEAT_MS = 15_000;

/**
 * Streams `event: runs` with `{ running: Run[] }` (the runs whose status is `running`, with
 * their counters) at once and on every change, and a comment line every 15 s so proxies keep
 * the connection. Ends when the client goes, or when the handler is closed.
 */
export function runEvents(
  inventory: Inventory,
  pollMs: number,
  req: IncomingMessage,
  res: ServerResponse,
  streams: Set<() => void>,
): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let last = '';
  let sentAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    streams.delete(end);
    res.end();
  };
  streams.add(end);
  req.on('close', end);
  const poll = async () => {
    try {
      const page = await inventory.runs({ status: 'running', limit: 1000 });
      const data = JSON.stringify({ running: page.items.map(runJson) });
      if (ended) return;
      if (data !== last) {
        last = data;
        sentAt = Date.now();
        res.write(`event: runs\ndata: ${data}\n\n`);
      } else if (Date.now() - sentAt >= HEARTBEAT_MS) {
        sentAt = Date.now();
        res.write(': still here\n\n');
      }
    } catch (error) {
      if (ended) return;
      res.write(
        `event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : 'error' })}\n\n`,
      );
    }
    if (!ended) timer = setTimeout(() => void poll(), pollMs);
  };
  void poll();
}
