import { connect } from 'node:net';
import type { ConnectivityProbe } from '@lifeboat/service-api';
import type { ProbeFacts } from '../domain/checks.js';
import type { ProbePort } from '../verify.js';

function tcp(host: string, port: number, timeoutMs: number): Promise<ProbeFacts> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (facts: ProbeFacts) => {
      socket.destroy();
      resolve(facts);
    };
    socket.setTimeout(timeoutMs, () => done({ reached: false, error: `no connection within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ reached: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ reached: false, error: error.code ?? error.message }));
  });
}

async function http(probe: Extract<ConnectivityProbe, { type: 'HTTP' }>, host: string, timeoutMs: number): Promise<ProbeFacts> {
  const url = `${probe.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${probe.port}${probe.path ?? '/'}`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = await response.text().catch(() => '');
    return { reached: true, httpStatus: response.status, ...(body ? { detail: body.slice(0, 200) } : {}) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { reached: false, error: cause ?? (error as Error).message };
  }
}

/** Probes from Lifeboat's Lambda to the instance: a TCP connect (node:net) or an HTTP GET (fetch). */
export const networkProbes: ProbePort = {
  attempt: (probe, address, timeoutMs) => (probe.type === 'TCP' ? tcp(address, probe.port, timeoutMs) : http(probe, address, timeoutMs)),
};
