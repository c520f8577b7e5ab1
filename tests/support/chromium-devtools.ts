import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** A font Chromium used for a node's text, as `CSS.getPlatformFontsForNode` reports it. */
export interface PlatformFont {
  familyName: string;
  postScriptName: string;
  isCustomFont: boolean;
  glyphCount: number;
}

/** Flags for a quiet headless Chromium that reaches no network but loopback (the page must work offline). */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/**
 * One headless Chromium page driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
 * fd 3 in, fd 4 out, NUL-terminated JSON), so the tests need no WebSocket client and no extra package.
 */
export class ChromiumPage {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly process: ChildProcess,
    private readonly profile: string,
    private sessionId = '',
  ) {
    let buffered = '';
    (process.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: unknown; error?: { message: string } };
        buffered = buffered.slice(end + 1);
        const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
        if (!waiter) continue;
        this.pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message.result);
      }
    });
  }

  /** Starts Chromium with a window of `width`×`height` and attaches to its first page. */
  static async launch(chromium: string, size: { width: number; height: number }): Promise<ChromiumPage> {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-'));
    const child = spawn(chromium, [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size.width},${size.height}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const page = new ChromiumPage(child, profile);
    const { targetInfos } = (await page.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
    const target = targetInfos.find((info) => info.type === 'page');
    if (!target) throw new Error('Chromium opened no page');
    const { sessionId } = (await page.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })) as { sessionId: string };
    page.sessionId = sessionId;
    for (const domain of ['Page', 'DOM', 'CSS']) await page.send(`${domain}.enable`);
    return page;
  }

  /** Sends one DevTools command to the page (or to the browser before attaching). */
  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.process.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  async navigate(url: string): Promise<void> {
    const result = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (result.errorText) throw new Error(`could not load ${url}: ${result.errorText}`);
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
    return result.value;
  }

  /** Waits until `expression` is truthy in the page. */
  async waitFor(expression: string, timeoutMs: number): Promise<void> {
    for (const started = Date.now(); !(await this.evaluate<boolean>(`Boolean(${expression})`)); ) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** For every element `selector` matches: its text and the platform fonts Chromium drew that text with. */
  async platformFonts(selector: string): Promise<Array<{ text: string; fonts: PlatformFont[] }>> {
    const { root } = (await this.send('DOM.getDocument', { depth: 0 })) as { root: { nodeId: number } };
    const { nodeIds } = (await this.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector })) as { nodeIds: number[] };
    const found: Array<{ text: string; fonts: PlatformFont[] }> = [];
    for (const nodeId of nodeIds) {
      const { outerHTML } = (await this.send('DOM.getOuterHTML', { nodeId })) as { outerHTML: string };
      const { fonts } = (await this.send('CSS.getPlatformFontsForNode', { nodeId })) as { fonts: PlatformFont[] };
      found.push({ text: outerHTML.replace(/<[^>]*>/g, ''), fonts });
    }
    return found;
  }

  /** Writes a PNG of the whole page; returns its size in bytes. */
  async screenshot(file: string): Promise<number> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
    const png = Buffer.from(data, 'base64');
    await writeFile(file, png);
    return png.length;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
    await rm(this.profile, { recursive: true, force: true });
  }
}
