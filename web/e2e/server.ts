// Starts a real `easytune serve` (this checkout's backend and web/dist) for the browser tests, with
// the files of a tiny random Llama and the datasets the tests upload.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const WEB_ROOT = resolve(import.meta.dirname, '..');
export const REPO_ROOT = resolve(WEB_ROOT, '..');
const PYTHON = process.env.EASYTUNE_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');
const SRC = join(REPO_ROOT, 'src'); // this checkout's backend, whatever the venv points at

/** The name the tests register the tiny model under (what the wizard and playground list). */
export const TINY_MODEL_NAME = 'tiny-llama';

/** What web/e2e/fixture.py writes (see its docstring). */
export interface E2eFiles {
  tinyModel: string;
  goodDataset: string;
  badDataset: string;
}

export interface RunningServer {
  url: string;
  files: E2eFiles;
  stop: () => Promise<void>;
  output: () => string;
  /** The last lines of the server's output, for failure messages. */
  tail: (lines?: number) => string;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function checkPython() {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `no Python at ${PYTHON}: run \`make install\` in ${REPO_ROOT}, or point EASYTUNE_PYTHON at a ` +
        'Python that has easytune installed (e.g. the main checkout\'s .venv/bin/python)',
    );
  }
}

const tinyModelPath = (folder: string) => join(folder, 'tiny-llama');

/** Run this checkout's web/e2e/fixture.py into `folder`: the tiny model and the two datasets. */
async function writeFiles(folder: string): Promise<E2eFiles> {
  const script = join(WEB_ROOT, 'e2e', 'fixture.py');
  const child = spawn(PYTHON, [script, folder], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: SRC, HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`web/e2e/fixture.py failed (exit ${code}):\n${log}`);
  return {
    tinyModel: tinyModelPath(folder),
    goodDataset: join(folder, 'pirate-chat.jsonl'),
    badDataset: join(folder, 'broken-chat.jsonl'),
  };
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`easytune serve exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`easytune serve did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

/**
 * A server on a free port with a fresh data folder, a known admin password, no demo assets (the
 * run must not depend on SmolLM2 being installed), dataset statistics counted with the tiny
 * model's tokenizer and a worker that picks jobs up within 0.2 s. The tests register the tiny
 * model themselves, as an administrator does (Models -> Register base model).
 */
export async function startServer(adminPassword: string): Promise<RunningServer> {
  checkPython();
  const root = mkdtempSync(join(tmpdir(), 'easytune-e2e-'));
  const dataDir = join(root, 'data');
  let log = '';
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const running = child;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (running.exitCode === null) running.kill('SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  };
  const tail = (lines = 60) => log.trimEnd().split('\n').slice(-lines).join('\n');
  try {
    // The files and the server start side by side (the statistics tokenizer loads lazily, at the
    // first upload).
    const filesDir = join(root, 'files');
    const port = await freePort();
    child = spawn(PYTHON, ['-m', 'easytune', 'serve', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PYTHONPATH: SRC, // also what the training child imports
        EASYTUNE_DATA_DIR: dataDir,
        EASYTUNE_ADMIN_PASSWORD: adminPassword,
        EASYTUNE_WEB_DIST: join(WEB_ROOT, 'dist'),
        EASYTUNE_LOG_JSON: 'false',
        EASYTUNE_DEMO_ASSETS: 'false',
        EASYTUNE_STATS_TOKENIZER: tinyModelPath(filesDir),
        EASYTUNE_JOB_POLL_SECONDS: '0.2',
        EASYTUNE_JOB_HEARTBEAT_SECONDS: '1',
        EASYTUNE_JOB_LEASE_SECONDS: '30',
        HF_HUB_OFFLINE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Should this process end without afterAll (killed, or its output pipe closed), take the
    // server and its data folder along rather than leave them behind.
    const running = child;
    const orphanGuard = () => {
      running.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    };
    process.once('exit', orphanGuard);
    running.once('exit', () => process.off('exit', orphanGuard));
    const keep = (chunk: Buffer) => void (log += chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const [files] = await Promise.all([writeFiles(filesDir), waitUntilHealthy(url, child, () => log, 60_000)]);
    return { url, files, stop, output: () => log, tail };
  } catch (error) {
    await stop();
    throw error;
  }
}
