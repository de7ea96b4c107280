// The console's pages. Each renders into <main> from the public API's answers; text is set as text, never as HTML.
import { api, apiText, ApiError, download, enc, probeRole, session, sha256Hex } from '/console/api.js';
import { parseVerifierKey, verifyRecord } from '/console/proofs.js';

/** Makes an element: h('a', {href: '#'}, 'text', child, …). Attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}) => { const el = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); return el; };
const when = (t) => (t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const pill = (text, kind) => h('span', { class: 'pill ' + (kind || '') }, text);
const statusPill = (s) => pill(s, s === 'ACTIVE' ? 'ok' : s === 'INACTIVE' ? 'warn' : 'bad');
const field = (label, control) => h('label', {}, label, control);
/**
 * What holds a table that may be wider than a phone: reachable by keyboard (Tab, then the arrow keys scroll it), and
 * named for a screen reader by what the table holds.
 */
const scroller = (name, content) => h('div', { class: 'scroll', tabindex: '0', role: 'group', 'aria-label': name }, content);
/** A two-column table of facts: each row's label a row header. */
const facts = (rows) => scroller('facts: ' + rows.map(([k]) => k).slice(0, 3).join(', '), h('table', {}, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))));
const table = (head, rows) => scroller('table: ' + head.filter(Boolean).slice(0, 3).join(', '), h('table', {}, h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
  h('tbody', {}, rows.length ? rows : [h('tr', {}, h('td', { colspan: head.length, class: 'muted' }, 'None.'))])));

export function say(text, error = false) {
  const status = document.getElementById('status');
  status.textContent = text || '';
  status.className = 'status' + (error ? ' error' : '');
}

/** Runs a page's work, turning a refusal of the API into a readable line (never a stack trace). */
async function guarded(work) {
  try {
    say('');
    await work();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session.end(); location.hash = '#/signin'; say('Signed out: the key was refused.', true); return; }
    say(e instanceof ApiError ? `The ledger answered ${e.status}: ${e.message}` : e.message, true);
  }
}

// ---- Sign in --------------------------------------------------------------------------------------------------------

export function signIn(main) {
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, id: 'key', size: 40 });
  const form = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); guarded(async () => {
    const role = await probeRole(key.value.trim());
    session.start(key.value.trim(), role);
    key.value = '';
    location.hash = '#/accounts';
  }); } }, field('API key (auditor or admin)', key), h('button', { type: 'submit' }, 'Sign in'));
  main.replaceChildren(h('h1', {}, 'Sign in'),
    h('p', {}, 'The key stays in this tab (sessionStorage) until you sign out or close it; it is sent only to this ledger, in the Authorization header.'),
    form);
  key.focus();
}

// ---- Accounts -------------------------------------------------------------------------------------------------------

export function accounts(main) {
  const id = h('input', { name: 'account', id: 'account', required: true, pattern: '[A-Za-z0-9_-]{1,64}', placeholder: 'acme' });
  main.replaceChildren(h('h1', {}, 'Accounts'),
    h('form', { class: 'inline', role: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = '#/account/' + enc(id.value.trim()); } },
      field('Account ID', id), h('button', { type: 'submit' }, 'Open')));
  id.focus();
}

export function account(main, id) {
  main.replaceChildren(h('h1', {}, 'Account ', h('code', {}, id)),
    h('p', {}, h('a', { href: '#/timeline/' + enc(id) }, 'Timeline'), ' · ', h('a', { href: '#/proofs/' + enc(id) }, 'Proofs')));
  return guarded(async () => {
    let state;
    try {
      state = await api(`/v1/accounts/${enc(id)}/state`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) { main.append(h('p', { class: 'error' }, `No account ${id} in the ledger.`)); return; }
      throw e;
    }
    const policy = state.credentialPolicy || {};
    main.append(h('div', { class: 'card' }, h('h2', {}, 'Account'), table(['plan', 'leak policy', 'maximum age', 'expiry notice', 'expiry required', 'version'], [
      h('tr', {}, h('td', {}, state.plan), h('td', {}, state.leakPolicy), h('td', {}, policy.maxAgeDays ? policy.maxAgeDays + ' days' : 'none'),
        h('td', {}, (policy.expiryWarningDays || 7) + ' days before'), h('td', {}, policy.requireExpiry ? 'yes' : 'no'), h('td', {}, state.version))])));
    const grid = h('div', { class: 'grid' });
    main.append(grid);
    for (const env of ['sandbox', 'live']) grid.append(await environment(id, env));
  });
}

async function environment(id, env) {
  const base = `/v1/accounts/${enc(id)}/environments/${env}`;
  const [apiAccess, creds, hooks] = await Promise.all([api(base + '/api'), api(base + '/credentials'), api(base + '/webhooks')]);
  const card = h('section', { class: 'card', 'aria-label': env }, h('h2', {}, env));
  card.append(table(['API access', 'auth token', 'private salt', 'allow-list'], [h('tr', {},
    h('td', {}, apiAccess.enabled ? pill('enabled', 'ok') : pill('off')),
    h('td', {}, apiAccess.tokenPrefix ? [h('code', {}, apiAccess.tokenPrefix + '…'), h('br'), 'used ' + when(apiAccess.lastUsedAt),
      apiAccess.tokenExpiresAt ? [h('br'), (apiAccess.tokenExpired ? 'expired ' : 'expires ') + when(apiAccess.tokenExpiresAt)] : null] : '—'),
    h('td', {}, apiAccess.saltPrefix ? h('code', {}, apiAccess.saltPrefix + '…') : '—'),
    h('td', {}, (apiAccess.allowedIps || []).length ? apiAccess.allowedIps.map((c) => h('div', {}, h('code', {}, c))) : 'any address'))]));
  card.append(h('h3', {}, 'Client credentials'), table(['name', 'client ID', 'status', 'scopes', 'expires', 'last used'],
    creds.items.map((c) => h('tr', {}, h('td', {}, c.name), h('td', {}, h('code', {}, c.clientId)), h('td', {}, statusPill(c.status)),
      h('td', {}, c.scopes ? c.scopes.join(' ') : h('span', { class: 'muted' }, 'unrestricted')), h('td', {}, when(c.expiresAt)),
      h('td', {}, c.lastUsedAt ? when(c.lastUsedAt) : h('span', { class: 'muted' }, 'never'))))));
  card.append(h('h3', {}, 'Webhooks'));
  const list = h('ul', { class: 'plain' });
  for (const w of hooks.webhooks || []) {
    const deliveries = await api(`${base}/webhooks/${enc(w.webhookId)}/deliveries`);
    list.append(h('li', {}, h('code', {}, w.url), ' ', h('span', { class: 'muted' }, (w.events || []).join(', ')),
      table(['message', 'type', 'outcome', 'attempts'], (deliveries.deliveries || []).slice(0, 5).map((d) => h('tr', {},
        h('td', {}, h('code', {}, d.messageId)), h('td', {}, d.type), h('td', {}, pill(d.outcome, d.outcome === 'delivered' ? 'ok' : d.outcome === 'failed' ? 'bad' : 'warn')),
        h('td', {}, (d.attempts || []).length))))));
  }
  card.append((hooks.webhooks || []).length ? list : h('p', { class: 'muted' }, 'None.'));
  return card;
}

// ---- Timeline -------------------------------------------------------------------------------------------------------

const TYPES = ['ApiEnabled', 'AuthTokenRefreshed', 'AuthTokenGraceEnded', 'ApiDisabled', 'ClientCredentialCreated', 'CredentialDeactivated',
  'CredentialReactivated', 'CredentialDeleted', 'IpAllowed', 'IpRemoved', 'PlanChanged', 'LeakReported', 'LeakPolicyChanged',
  'DeliveryTargetChanged', 'CredentialExpired', 'CredentialExpiring', 'CredentialPolicyChanged', 'CredentialScopesChanged', 'CommandRejected'];

function filterQuery(form) {
  const q = new URLSearchParams();
  for (const name of ['type', 'actor', 'credentialId', 'environment']) { const v = form.elements[name].value.trim(); if (v) q.set(name, v); }
  for (const name of ['from', 'to']) { const v = form.elements[name].value; if (v) q.set(name, new Date(v + 'Z').toISOString()); }
  return q;
}

export function timeline(main, id) {
  const form = h('form', { class: 'inline', 'aria-label': 'Filters' },
    field('Type', h('select', { name: 'type' }, h('option', { value: '' }, 'any'), TYPES.map((t) => h('option', { value: t }, t)))),
    field('Actor', h('input', { name: 'actor', size: 16 })),
    field('Credential ID', h('input', { name: 'credentialId', size: 20 })),
    field('Environment', h('select', { name: 'environment' }, h('option', { value: '' }, 'any'), h('option', { value: 'sandbox' }, 'sandbox'), h('option', { value: 'live' }, 'live'))),
    field('From (UTC)', h('input', { name: 'from', type: 'datetime-local', step: 1 })),
    field('To (UTC)', h('input', { name: 'to', type: 'datetime-local', step: 1 })),
    h('button', { type: 'submit' }, 'Show'));
  const exports = h('p', {}, 'Export the filtered range: ', ['csv', 'ndjson', 'ocsf'].map((f) => h('button', { type: 'button', class: 'secondary', 'data-format': f,
    onclick: () => guarded(() => download(`/v1/accounts/${enc(id)}/audit/export?${new URLSearchParams([...filterQuery(form), ['format', f]])}`,
      f === 'csv' ? 'text/csv' : 'application/x-ndjson', `${id}-audit.${f === 'csv' ? 'csv' : 'ndjson'}`)) }, f.toUpperCase())));
  const axis = h('div');
  const records = h('div', { id: 'records' });
  const state = h('section', { class: 'card', id: 'state', 'aria-live': 'polite' }, h('h2', {}, 'State'), h('p', { class: 'muted' }, 'Pick a record, or a point on the axis, to see the account as it was then.'));
  main.replaceChildren(h('h1', {}, 'Timeline of ', h('a', { href: '#/account/' + enc(id) }, id)), form, exports,
    h('div', { class: 'split' }, h('section', { 'aria-label': 'Audit records' }, axis, records), state));
  const load = () => guarded(async () => {
    const items = [];
    let cursor = null;
    do { // at most 5 pages of 200: a timeline to look at, not an export
      const q = filterQuery(form); q.set('limit', '200'); if (cursor) q.set('cursor', cursor);
      const page = await api(`/v1/accounts/${enc(id)}/audit?${q}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < 1000);
    axis.replaceChildren(drawAxis(items, (r) => showState(state, id, r)));
    records.replaceChildren(h('p', { class: 'muted' }, `${items.length} records${cursor ? ' (the first 1,000: narrow the range for more)' : ''}.`),
      ...items.map((r) => h('details', { 'data-sequence': r.sequence },
        h('summary', {}, `#${r.sequence} · ${when(r.time)} · ${r.type} · `, pill(r.outcome, r.outcome === 'ACCEPTED' ? 'ok' : 'bad'), ` · ${r.actor.id || '?'}`),
        h('p', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `State after record ${r.sequence}`, onclick: () => showState(state, id, r) }, 'State at this moment')),
        h('pre', {}, JSON.stringify(r, null, 2)))));
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  return load();
}

/** The records on a time axis: accepted in green, refused in red; each point a keyboard-reachable button. */
function drawAxis(items, pick) {
  const width = 1000; const height = 64;
  const chart = svg('svg', { class: 'axis', viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'Records on a time axis' });
  if (!items.length) return chart;
  const t0 = Date.parse(items[0].time); const t1 = Math.max(Date.parse(items[items.length - 1].time), t0 + 1);
  items.forEach((r, i) => {
    const x = 12 + (width - 24) * (Date.parse(r.time) - t0) / (t1 - t0);
    const dot = svg('circle', { cx: x.toFixed(1), cy: String(r.outcome === 'ACCEPTED' ? 24 : 44), r: '8', tabindex: i === 0 ? '0' : '-1', role: 'button',
      class: r.outcome === 'ACCEPTED' ? 'accepted' : 'refused', 'aria-label': `#${r.sequence} ${r.type} ${r.outcome} at ${when(r.time)}`, 'data-sequence': r.sequence });
    const title = svg('title'); title.textContent = `#${r.sequence} ${r.type} by ${r.actor.id} (${r.outcome})`;
    dot.append(title);
    dot.addEventListener('click', () => pick(r));
    dot.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(r); }
      // One tab stop for the whole axis; the arrow keys move along it.
      const next = e.key === 'ArrowRight' ? dot.nextElementSibling : e.key === 'ArrowLeft' ? dot.previousElementSibling : null;
      let to = next;
      while (to && to.tagName !== 'circle') to = e.key === 'ArrowRight' ? to.nextElementSibling : to.previousElementSibling;
      if (to) { e.preventDefault(); dot.setAttribute('tabindex', '-1'); to.setAttribute('tabindex', '0'); to.focus(); }
    });
    chart.append(dot);
    if (i === 0 || i === items.length - 1) {
      const label = svg('text', { x: x.toFixed(1), y: '60', 'font-size': '10', 'text-anchor': i === 0 ? 'start' : 'end' });
      label.textContent = when(r.time);
      chart.append(label);
    }
  });
  return chart;
}

function showState(panel, id, record) {
  return guarded(async () => {
    const s = await api(`/v1/accounts/${enc(id)}/state?asOf=${enc(record.time)}`);
    const envs = Object.entries(s.environments || {});
    panel.replaceChildren(h('h2', {}, 'State at ', h('span', { class: 'mono' }, when(s.asOf))),
      h('p', {}, `After record #${record.sequence} (${record.type}). Plan ${s.plan}, leak policy ${s.leakPolicy}, version ${s.version}.`),
      ...envs.map(([env, e]) => h('div', {}, h('h3', {}, env), facts([
        ['API access', e.apiEnabled ? 'enabled' : 'off'],
        ['auth token', e.authToken ? h('code', {}, e.authToken.prefix + '…') : '—'],
        ['allow-list', (e.allowedIps || []).map((i) => i.cidr).join(', ') || 'any address'],
        ['credentials', (e.credentials || []).map((c) => h('div', {}, c.name + ' ', statusPill(c.status)))],
      ]))),
      h('details', {}, h('summary', {}, 'The whole state document'), h('pre', {}, JSON.stringify(s, null, 2))));
  });
}

// ---- Investigate a secret -------------------------------------------------------------------------------------------

export function secret(main) {
  const input = h('textarea', { id: 'secret', name: 'secret', rows: 3, autocomplete: 'off', spellcheck: 'false', required: true });
  const out = h('div', { id: 'investigation', 'aria-live': 'polite' });
  main.replaceChildren(h('h1', {}, 'Investigate a secret'),
    h('p', {}, 'Paste a fingerprint (SHA-256, 64 hex characters) or a leaked secret itself: a secret is hashed here, in your browser, and only its fingerprint is sent.'),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); guarded(async () => {
      const text = input.value.trim();
      input.value = ''; // the plaintext does not stay on the page
      const fingerprint = /^[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : await sha256Hex(text);
      await investigate(out, fingerprint);
    }); } }, h('label', { class: 'wide' }, 'Fingerprint or secret', input), h('button', { type: 'submit' }, 'Investigate')), out);
  input.focus();
}

async function investigate(out, fingerprint) {
  let s;
  try {
    s = await api(`/v1/secrets/${fingerprint}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) { out.replaceChildren(h('p', {}, 'The ledger never issued a secret with fingerprint ', h('code', {}, fingerprint), '.')); return; }
    throw e;
  }
  out.replaceChildren(h('h2', {}, 'Fingerprint ', h('code', {}, fingerprint)), facts([
    ['status', statusPill(s.status)],
    ['what', [`${s.kind} ${s.environment}, prefix `, h('code', {}, s.prefix + '…')]],
    ['account', h('a', { href: '#/account/' + enc(s.accountId) }, s.accountId)],
    ['issued', `${when(s.issuedAt)} by ${s.issuedBy ? s.issuedBy.id : '?'}`],
    ['revoked', s.revokedAt ? `${when(s.revokedAt)} by ${s.revokedBy ? s.revokedBy.id : '?'} (${s.revocationReason})` : '—'],
  ]), h('h3', {}, 'Every record that names it'), table(['#', 'time', 'type', 'outcome', 'actor', 'detail'], (s.events || []).map((r) => h('tr', {},
    h('td', {}, r.sequence), h('td', {}, when(r.time)), h('td', {}, r.type), h('td', {}, pill(r.outcome, r.outcome === 'ACCEPTED' ? 'ok' : 'bad')),
    h('td', {}, r.actor ? r.actor.id : ''), h('td', {}, r.detail || '')))));
  const leaks = (s.events || []).filter((r) => r.type === 'LeakReported');
  out.append(h('h3', {}, 'Leak reports'), leaks.length ? h('ul', {}, leaks.map((r) => h('li', {}, `${when(r.time)}: ${r.detail}`))) : h('p', { class: 'muted' }, 'None.'));
  const revoking = (s.events || []).filter((r) => s.revokedAt && r.time === s.revokedAt && r.outcome === 'ACCEPTED').pop();
  if (revoking) {
    const caused = await api(`/v1/revocations?causedBy=${enc(revoking.eventId)}`);
    const revocation = (caused.items || []).find((r) => r.fingerprint === fingerprint);
    out.append(h('h3', {}, 'Enforcement'), revocation ? enforcementOf(revocation) : h('p', { class: 'muted' }, 'No enforcement report for this revocation (it may be older than the revocation retention).'));
  }
}

function enforcementOf(r) {
  const max = Math.max(1, ...(r.enforcementPoints || []).map((p) => p.lagMs));
  const headStart = r.effectiveEverywhereAt && r.committedEverywhereAt ? Date.parse(r.committedEverywhereAt) - Date.parse(r.effectiveEverywhereAt) : 0;
  return h('div', {}, h('p', {}, r.effectiveEverywhereAt ? `Effective at every live enforcement point ${when(r.effectiveEverywhereAt)}.`
    : `Not yet effective everywhere: pending at ${(r.pending || []).join(', ') || 'none'}.`, (r.stale || []).length ? ` Stale (silent): ${r.stale.join(', ')}.` : '',
  headStart > 0 ? ` The committed record alone made it so ${headStart} ms later: the early copy's head start.` : ''),
  h('div', { class: 'bars', role: 'list', 'aria-label': 'Time to apply, per enforcement point' }, (r.enforcementPoints || []).map((p) => {
    const fill = h('span', { class: 'fill' });
    fill.style.width = (100 * p.lagMs / max).toFixed(1) + '%';
    const copy = p.copy === 'early' ? (p.headStartMs !== null && p.headStartMs !== undefined ? `early copy, ${p.headStartMs} ms before the record` : 'early copy') : 'committed record';
    return h('div', { class: 'row', role: 'listitem' }, h('span', {}, `${p.name} (${p.instance})`), h('span', {}, fill), h('span', { class: 'mono' }, p.lagMs + ' ms'),
      h('span', { class: 'muted copy' }, copy));
  })));
}

// ---- Proofs ---------------------------------------------------------------------------------------------------------

const PINNED = 'credledger.console.verifierKey'; // a public key: pinned in localStorage (the API key never is)

export function proofs(main, id) {
  const account = h('input', { name: 'account', id: 'proof-account', value: id || '', required: true, pattern: '[A-Za-z0-9_-]{1,64}' });
  main.replaceChildren(h('h1', {}, 'Proofs'), h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); location.hash = '#/proofs/' + enc(account.value.trim()); } },
    field('Account ID', account), h('button', { type: 'submit' }, 'Open')));
  if (!id) { account.focus(); return; }
  return guarded(async () => {
    const chain = await api(`/v1/accounts/${enc(id)}/audit/verify`);
    const checkpoints = await api('/v1/audit/checkpoints');
    const key = h('textarea', { id: 'verifier-key', rows: 2, spellcheck: 'false' });
    key.value = localStorage.getItem(PINNED) || '';
    const sequence = h('input', { id: 'sequence', type: 'number', min: 1, max: chain.records, value: chain.records, required: true });
    const result = h('div', { id: 'proof-result', 'aria-live': 'polite' });
    main.append(h('section', { class: 'card' }, h('h2', {}, 'Hash chain of ', h('code', {}, id)),
      h('p', { class: 'verdict ' + (chain.intact ? 'ok' : 'bad'), id: 'chain-verdict' }, chain.intact ? `Chain intact: ${chain.records} records.`
        : `Chain broken at record ${chain.firstBroken.sequence}.`)),
    h('section', { class: 'card' }, h('h2', {}, 'Latest signed checkpoints'), table(['log', 'size', 'checkpoint'], checkpoints.items.map((c) =>
      h('tr', {}, h('td', {}, h('code', {}, c.origin)), h('td', {}, c.treeSize), h('td', {}, h('pre', { class: 'mono' }, c.checkpoint)))))),
    h('section', { class: 'card' }, h('h2', {}, 'Verify in your browser'),
      h('p', {}, 'The record\'s leaf hash, its inclusion proof up to the checkpoint\'s root and the checkpoint\'s Ed25519 signature are checked here, in your browser, against the verifier key you hold. Get that key from the operator, out of band.'),
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); guarded(() => checkOne(id, Number(sequence.value), key.value, result)); } },
        h('label', { class: 'wide' }, 'Verifier key', key), field('Record', sequence), h('button', { type: 'submit' }, 'Verify')),
      h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: () => guarded(async () => { key.value = (await apiText('/v1/audit/verifier-key')).trim(); }) }, 'Fill in the ledger\'s own key'),
        ' ', h('button', { type: 'button', class: 'secondary', onclick: () => guarded(async () => { parseVerifierKey(key.value); localStorage.setItem(PINNED, key.value.trim()); say('Verifier key pinned in this browser.'); }) }, 'Pin this key')),
      result));
  });
}

async function checkOne(id, sequence, keyText, result) {
  result.replaceChildren(h('p', { class: 'muted' }, 'Checking…'));
  let record = null;
  let cursor = null;
  let pages = 0;
  do { // find the record: pages of the account's trail, at most 20 (20,000 records)
    const q = new URLSearchParams({ limit: '1000' }); if (cursor) q.set('cursor', cursor);
    const page = await api(`/v1/accounts/${enc(id)}/audit?${q}`);
    record = page.items.find((r) => r.sequence === sequence) || null;
    cursor = record ? null : page.nextCursor;
  } while (cursor && ++pages < 20);
  if (!record) throw new Error(cursor ? `Record ${sequence} is beyond the first 20,000 of ${id}'s trail: check it with the offline tools.`
    : `No record ${sequence} in ${id}'s trail.`);
  let proof;
  try {
    proof = await api(`/v1/accounts/${enc(id)}/audit/${sequence}/proof`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) { result.replaceChildren(h('p', { class: 'warn' }, 'No checkpoint covers this record yet: try again in a minute.')); return; }
    throw e;
  }
  let v;
  try {
    v = await verifyRecord(record, proof, keyText);
  } catch (e) {
    result.replaceChildren(h('p', { class: 'verdict bad', id: 'proof-verdict' }, `Not verified: ${e.message}`));
    return;
  }
  const line = (ok, text) => h('li', { class: ok ? 'ok' : 'bad' }, (ok ? '✓ ' : '✗ ') + text);
  result.replaceChildren(h('p', { class: 'verdict ' + (v.ok ? 'ok' : 'bad'), id: 'proof-verdict' }, v.ok ? `Verified: record ${sequence} is in ${v.origin} at size ${v.treeSize}, signed by your key.` : 'Not verified.'),
    h('ul', { class: 'plain' }, line(v.leafMatches, 'the leaf hash is SHA-256(0x00 ‖ the record\'s chain hash)'),
      line(v.included, `the inclusion proof leads to the checkpoint's root (leaf ${proof.leafIndex} of ${proof.treeSize})`),
      line(v.signed, 'the checkpoint is signed by the verifier key given')),
    h('p', { class: 'muted', id: 'proof-engine' }, `Ed25519 checked by ${v.engine === 'WebCrypto' ? 'this browser (WebCrypto)' : v.engine + ', as this browser has no Ed25519 in WebCrypto'}; hashes by WebCrypto.`));
}

// ---- Enforcement ----------------------------------------------------------------------------------------------------

export function enforcement(main) {
  const id = h('input', { id: 'revocation', name: 'revocation', size: 38, required: true, placeholder: 'a revocationId from a command answer',
    pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' });
  const detail = h('div', { 'aria-live': 'polite' });
  main.replaceChildren(h('h1', {}, 'Enforcement'));
  return guarded(async () => {
    const points = await api('/v1/enforcement-points');
    main.append(h('section', { class: 'card' }, h('h2', {}, 'Enforcement points'), table(['point', 'state', 'last report', 'lag', 'instances'],
      points.items.map((p) => h('tr', { class: p.stale ? 'warn' : '' }, h('td', {}, p.name), h('td', {}, p.stale ? pill('stale', 'warn') : pill('live', 'ok')),
        h('td', {}, when(p.lastReportAt)), h('td', {}, p.lagMs + ' ms'), h('td', {}, (p.instances || []).length))))),
    await recentRevocations(detail),
    h('section', { class: 'card' }, h('h2', {}, 'A revocation, point by point'),
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); guarded(async () => detail.replaceChildren(enforcementOf(await api(`/v1/revocations/${enc(id.value.trim())}`)))); } },
        field('Revocation ID', id), h('button', { type: 'submit' }, 'Show')), detail));
  });
}

/** The revocations of the last hour, each with how long it took to be effective at every live point. */
async function recentRevocations(detail) {
  const since = new Date(Date.now() - 3600_000).toISOString();
  const recent = await api(`/v1/revocations?since=${enc(since)}`);
  const took = (r) => (r.effectiveEverywhereAt ? Date.parse(r.effectiveEverywhereAt) - Date.parse(r.revokedAt) : null);
  const byRecord = (r) => (r.committedEverywhereAt ? Date.parse(r.committedEverywhereAt) - Date.parse(r.revokedAt) : null);
  const reporting = (r) => (r.enforcementPoints || []).length + (r.pending || []).length > 0;
  const max = Math.max(1, ...recent.items.map((r) => took(r) || 0));
  return h('section', { class: 'card', id: 'recent-revocations' }, h('h2', {}, 'Revocations in the last hour'),
    h('p', { class: 'muted' }, `${recent.items.length}${recent.truncated ? ' (the newest 500)' : ''}; time from the revocation to effective at every live enforcement point, and what it would have been by the committed record alone (points that follow the early copy apply it sooner).`),
    table(['revoked', 'secret', 'account', 'reason', 'effective everywhere after', 'by the record alone', ''], recent.items.map((r) => {
      const ms = took(r);
      const fill = h('span', { class: 'fill' + (ms === null ? ' stale' : '') });
      fill.style.width = ms === null ? '100%' : (100 * ms / max).toFixed(1) + '%';
      const label = ms !== null ? ms + ' ms' : reporting(r) ? 'pending' : 'no point reports';
      return h('tr', {}, h('td', {}, when(r.revokedAt)), h('td', {}, h('code', {}, r.prefix + '…')), h('td', {}, r.accountId), h('td', {}, r.reason),
        h('td', {}, h('div', { class: 'bars' }, h('div', { class: 'row' }, h('span', {}, label), h('span', {}, reporting(r) ? fill : null), h('span')))),
        h('td', { class: 'mono' }, byRecord(r) === null ? '—' : byRecord(r) + ' ms'),
        h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Enforcement points of the revocation of ${r.prefix}`, onclick: () => detail.replaceChildren(enforcementOf(r)) }, 'Points')));
    })));
}

// ---- Compliance -----------------------------------------------------------------------------------------------------

const AGES = [[0, 30], [31, 90], [91, 180], [181, 365], [366, Infinity]];

export function compliance(main) {
  const days = h('input', { id: 'older', type: 'number', min: 0, value: 90 });
  const older = h('div');
  main.replaceChildren(h('h1', {}, 'Compliance'),
    h('p', {}, h('button', { type: 'button', id: 'report-csv', onclick: () => guarded(() => download('/v1/reports/credentials?format=csv', 'text/csv', 'credential-report.csv')) }, 'Download the credential report (CSV)')));
  return guarded(async () => {
    const [report, expiring] = await Promise.all([api('/v1/reports/credentials?format=json'), api('/v1/reports/credentials?format=json&expiringWithinDays=14')]);
    const rows = report.items;
    const max = Math.max(1, ...AGES.map(([a, b]) => rows.filter((r) => r.ageDays >= a && r.ageDays <= b).length));
    const row = (r) => h('tr', {}, h('td', {}, h('a', { href: '#/account/' + enc(r.accountId) }, r.accountId)), h('td', {}, r.environment), h('td', {}, r.kind),
      h('td', {}, r.name || h('code', {}, r.prefix + '…')), h('td', {}, statusPill(r.status)), h('td', {}, r.ageDays), h('td', {}, when(r.expiresAt)),
      h('td', {}, r.lastUsedAt ? when(r.lastUsedAt) : 'never'));
    const head = ['account', 'env', 'kind', 'credential', 'status', 'age (days)', 'expires', 'last used'];
    const showOlder = () => older.replaceChildren(table(head, rows.filter((r) => r.ageDays > Number(days.value)).map(row)));
    main.append(h('section', { class: 'card' }, h('h2', {}, `Age of the ${rows.length} live credentials`),
      h('div', { class: 'bars', role: 'list', 'aria-label': 'Credentials by age' }, AGES.map(([a, b]) => {
        const n = rows.filter((r) => r.ageDays >= a && r.ageDays <= b).length;
        const fill = h('span', { class: 'fill' });
        fill.style.width = (100 * n / max).toFixed(1) + '%';
        return h('div', { class: 'row', role: 'listitem' }, h('span', {}, b === Infinity ? `over ${a - 1} days` : `${a}–${b} days`), h('span', {}, fill), h('span', { class: 'mono' }, n));
      }))),
    h('section', { class: 'card' }, h('h2', {}, 'Never used'), table(head, rows.filter((r) => !r.lastUsedAt).map(row))),
    h('section', { class: 'card' }, h('h2', {}, 'Expiring within 14 days'), table(head, expiring.items.map(row))),
    h('section', { class: 'card' }, h('h2', {}, 'Older than'), h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); showOlder(); } },
      field('Days', days), h('button', { type: 'submit' }, 'Show')), older));
    showOlder();
  });
}
