// The console's only way to the ledger: its public HTTP API, with the key of this tab's session.
// The key lives in sessionStorage (this tab, until it closes or signs out): never localStorage, a cookie or the URL.

const KEY = 'credledger.console.key';
const ROLE = 'credledger.console.role';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  get role() { return sessionStorage.getItem(ROLE); },
  start(key, role) { sessionStorage.setItem(KEY, key); sessionStorage.setItem(ROLE, role); },
  end() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ROLE); },
};

/** A refusal of the API, with its RFC 9457 problem body when it has one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && (problem.detail || problem.title) ? (problem.detail || problem.title) : 'HTTP ' + status);
    this.status = status;
    this.problem = problem;
  }
}

async function send(path, key, { method = 'GET', body, accept = 'application/json' } = {}) {
  const headers = { Authorization: 'Bearer ' + key, Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer', redirect: 'error',
  });
}

/** GET (or another method) as JSON; a 4xx or 5xx is an ApiError. */
export async function api(path, options = {}) {
  const r = await send(path, session.key, options);
  if (!r.ok) {
    let problem = null;
    try { problem = await r.json(); } catch (e) { /* no problem body */ }
    throw new ApiError(r.status, problem);
  }
  if (options.accept && options.accept !== 'application/json') return r.blob();
  return r.status === 204 ? null : r.json();
}

/** Text answers (the verifier key). */
export async function apiText(path) {
  const r = await send(path, session.key, { accept: 'text/plain' });
  if (!r.ok) throw new ApiError(r.status, null);
  return r.text();
}

/** Which role a key has (GET /v1/whoami, which reads nothing else); the console takes an auditor's or an admin's. */
export async function probeRole(key) {
  const r = await send('/v1/whoami', key);
  if (r.status === 401) throw new Error('This key is not known to the ledger.');
  if (!r.ok) throw new Error('The ledger answered ' + r.status + '; try again.');
  const { role } = await r.json();
  if (role !== 'auditor' && role !== 'admin') throw new Error(`This is a ${role} key: the console needs an auditor or admin key.`);
  return role;
}

/** Saves a download (an export, a report) fetched with the session's key, without putting the key in a URL. */
export async function download(path, accept, filename) {
  const blob = await api(path, { accept });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The lower-case hex SHA-256 of a text, computed in this page (WebCrypto): what GET /v1/secrets/{fingerprint} takes. */
export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const enc = encodeURIComponent;
