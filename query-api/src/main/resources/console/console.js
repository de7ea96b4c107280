// The audit console: a hash router over the pages; every page is a client of the public HTTP API.
import { session } from '/console/api.js';
import * as pages from '/console/pages.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

const routes = [
  [/^#\/accounts$/, (m) => pages.accounts(m)],
  [/^#\/account\/([^/]+)$/, (m, id) => pages.account(m, id)],
  [/^#\/timeline\/([^/]+)$/, (m, id) => pages.timeline(m, id)],
  [/^#\/secret$/, (m) => pages.secret(m)],
  [/^#\/proofs(?:\/([^/]+))?$/, (m, id) => pages.proofs(m, id)],
  [/^#\/enforcement$/, (m) => pages.enforcement(m)],
  [/^#\/compliance$/, (m) => pages.compliance(m)],
];

function header() {
  const signedIn = Boolean(session.key);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('signout').hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? `Signed in as ${session.role}` : 'Not signed in';
  for (const a of document.querySelectorAll('#nav a')) {
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function render() {
  const main = document.getElementById('main');
  if (!session.key) {
    if (location.hash !== '#/signin') { location.hash = '#/signin'; return; }
    header();
    pages.signIn(main);
    return;
  }
  if (location.hash === '' || location.hash === '#/signin') { location.hash = '#/accounts'; return; }
  header();
  for (const [pattern, page] of routes) {
    const m = pattern.exec(location.hash);
    if (m) {
      let ids;
      try {
        ids = m.slice(1).map((x) => (x === undefined ? undefined : decodeURIComponent(x)));
      } catch (e) {
        break; // a malformed address: not found
      }
      if (ids.some((x) => x !== undefined && !ID.test(x))) break; // an account ID never holds '/', '.' or more
      main.focus(); // for screen readers, the new page's start; a page may then focus its first field
      page(main, ...ids);
      return;
    }
  }
  main.replaceChildren(pages.h('h1', {}, 'Not found'), pages.h('p', {}, pages.h('a', { href: '#/accounts' }, 'Accounts')));
}

document.getElementById('signout').addEventListener('click', () => {
  session.end();
  pages.say('Signed out.');
  location.hash = '#/signin';
});
// The skip link moves the focus; it must not change the address (the router would take it for a page).
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); document.getElementById('main').focus(); });
window.addEventListener('hashchange', render);
render();
