/**
 * A real AWS API emulator for tests: moto in server mode on a free loopback port, started by the test
 * that needs it and stopped by its PID.
 *
 * Installed by `.ci/run` (`python3 -m pip install 'moto[server]==…'`); started here with the same
 * `python3`, so a machine with several Pythons finds the one that has moto, through `moto_server.py`
 * beside this file: moto's own server with a fix for its signature check of query strings (see there).
 *
 * @see https://docs.getmoto.org/en/latest/docs/server_mode.html
 * @see https://docs.getmoto.org/en/latest/docs/iam.html (IAM enforcement, `/moto-api/reset-auth`)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MOTO_SERVER_SCRIPT = fileURLToPath(new URL('./moto_server.py', import.meta.url));

export interface MotoServer {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly pid: number;
  /**
   * Whether moto checks each request against the caller's IAM policies. Off, every request is allowed
   * (for setting up users, policies and buckets); on, moto answers 403 AccessDenied as AWS would for
   * what the caller's identity policies do not allow.
   */
  enforceIam(on: boolean): Promise<void>;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `moto_server did not start on ${endpoint} (${exited ?? `no answer within ${STARTUP_TIMEOUT_MS / 1000} s`}). ` +
      `Install it with: npm run test:deps (python3 -m pip install 'moto[server]'). Its output:\n${output()}`,
  );
}

/** Starts moto on 127.0.0.1 with IAM enforcement off; call `stop()` when done (it kills the PID). */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', [MOTO_SERVER_SCRIPT, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the start of the log matters for a startup error; the request log is not kept.
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = once(child, 'spawn').then(
    () => undefined,
    (error: unknown) => error,
  );
  const failed = await spawnError;
  if (failed !== undefined || child.pid === undefined) {
    throw new Error(`cannot start python3 ${MOTO_SERVER_SCRIPT}: ${String(failed)}`);
  }
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  const server: MotoServer = {
    endpoint,
    pid,
    async enforceIam(on: boolean): Promise<void> {
      // moto counts requests and enforces IAM from the Nth on; 0 enforces now, inf never.
      const response = await fetch(`${endpoint}/moto-api/reset-auth`, {
        method: 'POST',
        body: on ? '0' : 'inf',
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`moto reset-auth answered ${response.status}: ${text}`);
    },
    stop,
  };
  await server.enforceIam(false);
  return server;
}
