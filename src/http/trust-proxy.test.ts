// The client's address (the "from where" of every audit record) comes from X-Forwarded-For only when the
// request came through a proxy the operator named (KAIFANG_TRUST_PROXY).
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/index.ts';
import { trustProxySetting } from '../config.ts';
import { buildApp } from './app.ts';

const engine = Engine.load();

async function ipSeen(trustProxy: boolean | string | undefined, remoteAddress: string) {
  const app = await buildApp({ engine, webRoot: null, trustProxy, plugins: [(a) => void a.get('/api/whoami', async (req) => ({ ip: req.ip }))] });
  try {
    const res = await app.inject({ method: 'GET', url: '/api/whoami', remoteAddress, headers: { 'x-forwarded-for': '203.0.113.9' } });
    return res.json().ip as string;
  } finally {
    await app.close();
  }
}

describe('trusted proxies', () => {
  it('by default ignores X-Forwarded-For: nobody writes another address into the audit log', async () => {
    expect(await ipSeen(trustProxySetting({}), '198.51.100.7')).toBe('198.51.100.7');
  });

  it('believes it from a named proxy only', async () => {
    const named = trustProxySetting({ KAIFANG_TRUST_PROXY: '10.0.0.5, 127.0.0.0/8' });
    expect(await ipSeen(named, '10.0.0.5')).toBe('203.0.113.9');
    expect(await ipSeen(named, '127.0.0.1')).toBe('203.0.113.9');
    expect(await ipSeen(named, '198.51.100.7')).toBe('198.51.100.7');
  });

  it('reads true or addresses, and refuses anything else', () => {
    expect(trustProxySetting({ KAIFANG_TRUST_PROXY: 'true' })).toBe(true);
    expect(trustProxySetting({ KAIFANG_TRUST_PROXY: 'false' })).toBe(false);
    expect(() => trustProxySetting({ KAIFANG_TRUST_PROXY: 'my-proxy.example' })).toThrow(/KAIFANG_TRUST_PROXY/);
  });
});
