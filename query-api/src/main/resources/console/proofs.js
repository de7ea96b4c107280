// Audit proofs checked in the browser, trusting nothing the ledger says but what the math shows:
// RFC 9162 inclusion of a record's leaf in a log, and the C2SP signed note (Ed25519) that commits to the log's root.

const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const hex = (s) => Uint8Array.from(s.match(/../g).map((h) => parseInt(h, 16)));
const concat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let i = 0; for (const p of parts) { out.set(p, i); i += p.length; } return out; };
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));

/** RFC 9162 §2.1: the hash of a leaf (0x00 ‖ data). A record's leaf data is the 32 bytes of its chain hash. */
export const leafHash = (recordHashHex) => sha256(concat(Uint8Array.of(0), hex(recordHashHex)));

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null if the proof does not fit the tree size. */
export async function rootFromInclusion(leafIndex, treeSize, leaf, proof) {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return null;
  let fn = leafIndex; let sn = treeSize - 1; let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat(Uint8Array.of(1), p, r));
      if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
    } else {
      r = await sha256(concat(Uint8Array.of(1), r, p));
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** A C2SP verifier key, "<name>+<hex key ID>+<base64(0x01 ‖ Ed25519 public key)>". */
export function parseVerifierKey(text) {
  // The name and the key ID hold no '+'; the base64 key may.
  const t = text.trim(); const first = t.indexOf('+'); const second = t.indexOf('+', first + 1);
  if (first < 1 || second < 0 || !/^[0-9a-f]{8}$/.test(t.slice(first + 1, second))) throw new Error('a verifier key is <name>+<key ID>+<key>');
  const parts = [t.slice(0, first), t.slice(first + 1, second), t.slice(second + 1)];
  const key = b64(parts[2]);
  if (key.length !== 33 || key[0] !== 1) throw new Error('not an Ed25519 verifier key');
  return { name: parts[0], keyId: hex(parts[1]), publicKey: key.slice(1) };
}

/** A signed checkpoint: its body (origin, size, root), and whether a signature by {@code verifier} over it holds. */
export async function checkCheckpoint(note, verifier) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('not a signed note');
  const body = note.slice(0, split + 1);
  const [origin, size, root] = body.split('\n');
  if (!/^[0-9]+$/.test(size || '')) throw new Error('not a checkpoint: its second line is not a tree size');
  const lines = note.slice(split + 2).split('\n').filter((l) => l !== '');
  if (lines.some((l) => !l.startsWith('\u2014 '))) throw new Error('not a signed note: a line after the blank line is not a signature');
  const signatures = lines;
  // The key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
  const id = (await sha256(concat(new TextEncoder().encode(verifier.name + '\n'), Uint8Array.of(1), verifier.publicKey))).slice(0, 4);
  const ed25519 = await ed25519Verifier(verifier.publicKey);
  // As the ledger's own verifier: at least one signature by this key, and every signature by it valid.
  let signed = false;
  for (const line of signatures) {
    const [, name, sig] = line.split(' ');
    const raw = b64(sig);
    if (name !== verifier.name || !equal(raw.slice(0, 4), id)) continue;
    if (!(await ed25519.verify(raw.slice(4), new TextEncoder().encode(body)))) { signed = false; break; }
    signed = true;
  }
  return { origin, treeSize: Number(size), root: b64(root), signed, keyIdMatches: equal(id, verifier.keyId), engine: ed25519.engine };
}

/** The library that checks Ed25519 where the browser's WebCrypto cannot (served from the ledger, as the rest). */
export const FALLBACK = 'noble-ed25519 3.2.0';

/**
 * Ed25519 (RFC 8032) signature checks by one public key: the browser's own WebCrypto where it has Ed25519 (Chromium 137,
 * Firefox 129, Safari 17 and later), else noble-ed25519 — a small, audited, dependency-free implementation, loaded only
 * then, checking strictly as RFC 8032 and FIPS 186-5 say (not ZIP 215's looser rules).
 */
export async function ed25519Verifier(publicKey) {
  let key;
  try {
    key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    let noble;
    try {
      noble = await import('/console/noble-ed25519.js');
    } catch (loading) {
      throw new Error(`this browser cannot check Ed25519 signatures (${e.message}), and ${FALLBACK} did not load (${loading.message})`);
    }
    return { engine: FALLBACK, verify: (signature, message) => noble.verifyAsync(signature, message, publicKey, { zip215: false }) };
  }
  return { engine: 'WebCrypto', verify: (signature, message) => crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message) };
}

/**
 * The whole check of one record: its leaf hash from its own chain hash, the inclusion proof up to the checkpoint's root,
 * and the checkpoint's signature by the verifier key the user holds.
 */
export async function verifyRecord(record, proof, verifierKeyText) {
  const verifier = parseVerifierKey(verifierKeyText);
  const leaf = await leafHash(record.hash);
  const leafMatches = equal(leaf, b64(proof.leafHash));
  const root = await rootFromInclusion(proof.leafIndex, proof.treeSize, leaf, proof.inclusionProof.map(b64));
  const checkpoint = await checkCheckpoint(proof.checkpoint, verifier);
  const included = root !== null && equal(root, checkpoint.root) && checkpoint.treeSize === proof.treeSize;
  return { leafMatches, included, signed: checkpoint.signed && checkpoint.keyIdMatches, origin: checkpoint.origin,
    treeSize: checkpoint.treeSize, engine: checkpoint.engine, ok: leafMatches && included && checkpoint.signed && checkpoint.keyIdMatches };
}
