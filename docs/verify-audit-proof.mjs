#!/usr/bin/env node
// Verifies, offline and without any of credledger's code, that one audit record is in the ledger's signed audit log:
//   1. the record's hash is recomputed from its fields, as the HTTP API returns them (README, "Audit chain");
//   2. the checkpoint is a C2SP signed note whose Ed25519 signature verifies with the verifier key you hold;
//   3. the record's leaf hash, SHA-256(0x00 || hash), is included in the checkpoint's tree (RFC 9162 §2.1.3.2).
// Usage: node verify-audit-proof.mjs <record.json> <proof.json> <verifier key> [account]
//   record.json: one item of GET /v1/accounts/{account}/audit (or of GET /v1/audit, which carries accountId)
//   proof.json:  GET /v1/accounts/{account}/audit/{sequence}/proof
//   verifier key: <name>+<hex key ID>+<base64(0x01 || public key)>, obtained from the ledger's operator out of band
// Node.js 18 or later; only its built-in crypto module. Exit 0 when all three hold, 1 otherwise.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [recordFile, proofFile, verifierKey, accountArg] = process.argv.slice(2);
if (!recordFile || !proofFile || !verifierKey) {
  console.error('usage: node verify-audit-proof.mjs <record.json> <proof.json> <verifier key> [account]');
  process.exit(2);
}
const record = JSON.parse(readFileSync(recordFile, 'utf8'));
const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
// Strict base64 (RFC 4648 §4, padded): Node's decoder would skip stray characters and take the URL alphabet.
const b64 = (text, bytes, what) => {
  if (typeof text !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) fail(`${what} is not base64`);
  const out = Buffer.from(text, 'base64');
  if (bytes !== undefined && out.length !== bytes) fail(`${what} is not ${bytes} bytes`);
  return out;
};
const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const fail = (why) => { console.error('NOT VERIFIED: ' + why); process.exit(1); };

// 1. The record's hash from its fields: SHA-256(prevHash "\n" canonical), canonical = <length>:<value>; per field.
const field = (v) => { const t = v === null || v === undefined ? '' : String(v); return `${t.length}:${t};`; };
const account = record.accountId ?? accountArg;
if (!account) fail('the record has no accountId: give the account as the fourth argument');
const canonical = [record.sequence, record.eventId, account, record.type,
  record.environment ? record.environment.toUpperCase() : null, Date.parse(record.time), record.actor.id,
  record.actor.sourceIp, record.actor.userAgent, record.actor.channel, record.outcome, record.reason, record.detail,
  record.credentialId, record.commandId, record.correlationId].map(field).join('');
const hash = sha256(`${record.prevHash}\n${canonical}`).toString('hex');
if (hash !== record.hash) fail(`the record's fields hash to ${hash}, not to its hash ${record.hash}`);

// 2. The checkpoint's signature (C2SP signed-note, Ed25519) with the verifier key.
const [name, keyIdHex, keyB64] = (() => {
  const a = verifierKey.indexOf('+'); const b = verifierKey.indexOf('+', a + 1);
  return [verifierKey.slice(0, a), verifierKey.slice(a + 1, b), verifierKey.slice(b + 1)];
})();
const key = b64(keyB64, 33, 'the verifier key');
if (key[0] !== 0x01 || !name || /[\s+]/u.test(name)) fail('not an Ed25519 verifier key');
const keyId = sha256(name, '\n', key).subarray(0, 4);
if (keyId.toString('hex') !== keyIdHex) fail('the verifier key\'s ID does not match its key');
const note = proof.checkpoint;
// C2SP signed note: no control characters but newline; text, a blank line, signature lines ending in newline.
if (typeof note !== 'string' || /[\x00-\x09\x0b-\x1f]/.test(note)) fail('the checkpoint is not a signed note');
const split = note.lastIndexOf('\n\n');
if (split < 0 || !note.endsWith('\n')) fail('the checkpoint is not a signed note');
const text = note.slice(0, split + 1);
const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key.subarray(1)]),
  format: 'der', type: 'spki' });
const lines = note.slice(split + 2, -1).split('\n');
if (lines.some((l) => !l.startsWith('\u2014 '))) fail('the checkpoint has a line that is not a signature');
// Every signature of this key (name and key ID) must verify, and there must be one.
const mine = lines.filter((l) => l.startsWith(`\u2014 ${name} `)).map((l) => b64(l.slice(`\u2014 ${name} `.length), 68, 'a signature'))
  .filter((sig) => sig.subarray(0, 4).equals(keyId));
if (mine.length === 0 || !mine.every((sig) => verify(null, Buffer.from(text, 'utf8'), publicKey, sig.subarray(4)))) {
  fail(`the checkpoint carries no valid signature of ${name}+${keyIdHex}`);
}
const [origin, sizeLine, rootB64] = text.split('\n');
if (!/^(0|[1-9][0-9]*)$/.test(sizeLine ?? '')) fail('the checkpoint\'s tree size is not a decimal number');
const treeSize = BigInt(sizeLine);
const root = b64(rootB64, 32, 'the checkpoint\'s root');
if (proof.origin !== origin || String(proof.treeSize) !== sizeLine) fail('the proof names another log or size than its checkpoint');

// 3. Inclusion of the record's leaf in that tree (RFC 9162 §2.1.3.2).
const leafHash = sha256(Buffer.from([0x00]), Buffer.from(record.hash, 'hex'));
if (leafHash.toString('base64') !== proof.leafHash) fail('the proof is for another leaf');
if (!Number.isSafeInteger(proof.leafIndex) || proof.leafIndex < 0) fail('the leaf index is not a whole number from 0');
let fn = BigInt(proof.leafIndex);
let sn = treeSize - 1n;
if (fn >= treeSize) fail('the leaf index is outside the tree');
let r = leafHash;
if (!Array.isArray(proof.inclusionProof)) fail('the proof has no inclusion path');
for (const p of proof.inclusionProof.map((h) => b64(h, 32, 'a proof hash'))) {
  if (sn === 0n) fail('the proof is too long');
  if ((fn & 1n) === 1n || fn === sn) {
    r = sha256(Buffer.from([0x01]), p, r);
    while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
  } else {
    r = sha256(Buffer.from([0x01]), r, p);
  }
  fn >>= 1n; sn >>= 1n;
}
if (sn !== 0n || !r.equals(root)) fail('the inclusion proof does not lead to the checkpoint\'s root');

console.log(`VERIFIED: record ${record.sequence} of ${account} (hash ${record.hash}) is leaf ${proof.leafIndex} of ${origin}, `
  + `in its checkpoint of ${treeSize} records signed by ${name}+${keyIdHex}`);
