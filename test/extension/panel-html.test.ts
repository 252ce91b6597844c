import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPanelHtml, contentSecurityPolicy, makeNonce } from '../../extension/src/panels/html';

const input = {
  panel: 'dashboard' as const,
  title: 'Dashboard: SGD <p=0.5> & co',
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.css',
  nonce: 'AbCdEfGhIjKlMnOpQrStUv',
};

function csp(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'no CSP meta tag');
  return m[1];
}

describe('panel HTML and CSP', () => {
  test('the CSP is strict: default none, scripts only by nonce, styles/fonts/images from the webview source', () => {
    const policy = csp(buildPanelHtml(input));
    assert.equal(policy, contentSecurityPolicy(input.cspSource, input.nonce));
    const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], [`'nonce-${input.nonce}'`]);
    assert.deepEqual(directives['style-src'], [input.cspSource]);
    assert.deepEqual(directives['font-src'], [input.cspSource]);
    assert.deepEqual(directives['img-src'], [input.cspSource, 'data:']);
    assert.ok(!policy.includes('unsafe-inline') && !policy.includes('unsafe-eval'));
  });

  test('exactly one script: the bundle by its webview URI, with the nonce; no inline script or style', () => {
    const html = buildPanelHtml(input);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    const [, attrs, body] = scripts[0];
    assert.ok(attrs.includes(`nonce="${input.nonce}"`), 'the script has no nonce');
    assert.ok(attrs.includes(`src="${input.scriptUri}"`), 'the script is not the bundle URI');
    assert.equal(body.trim(), '', 'inline script code');
    assert.ok(!/<style\b/.test(html), 'inline <style>');
    assert.ok(!/\sstyle=/.test(html), 'inline style attribute');
    assert.ok(!/\son[a-z]+=/.test(html), 'inline event handler');
    assert.ok(html.includes(`<link rel="stylesheet" href="${input.styleUri}">`));
  });

  test('#app carries the panel kind and the escaped state; the title is escaped', () => {
    const html = buildPanelHtml({ ...input, state: { kind: 'dashboard', runIds: ['a"b<c'] } });
    assert.ok(html.includes('<div id="app" data-panel="dashboard" data-state="{&quot;kind&quot;:&quot;dashboard&quot;,&quot;runIds&quot;:[&quot;a\\&quot;b&lt;c&quot;]}"></div>'), html);
    assert.ok(html.includes('<title>Dashboard: SGD &lt;p=0.5&gt; &amp; co</title>'));
  });

  test('a fresh nonce per render: 128 random bits, valid in a CSP', () => {
    const nonces = new Set(Array.from({ length: 100 }, makeNonce));
    assert.equal(nonces.size, 100);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{22}$/);
    const a = buildPanelHtml({ ...input, nonce: makeNonce() });
    const b = buildPanelHtml({ ...input, nonce: makeNonce() });
    assert.notEqual(csp(a), csp(b));
  });

  test('a malformed nonce is refused (it would break out of the attribute or the policy)', () => {
    assert.throws(() => buildPanelHtml({ ...input, nonce: "abc' 'unsafe-inline" }), /invalid nonce/);
    assert.throws(() => buildPanelHtml({ ...input, nonce: 'short' }), /invalid nonce/);
  });
});
