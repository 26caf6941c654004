// The confirmation link failed; the server says why in `?reason=expired|used|invalid`.
// Anything unknown is treated as an invalid link.

import { translatePage } from './i18n.js';

const KNOWN_REASONS = ['expired', 'used', 'invalid'];
const requested = new URLSearchParams(location.search).get('reason');
const reason = KNOWN_REASONS.includes(requested) ? requested : 'invalid';

document.getElementById('error-heading').dataset.i18n = `verifyError.${reason}.heading`;
document.getElementById('error-body').dataset.i18n = `verifyError.${reason}.body`;

// A used link means the address is already confirmed: logging in is the useful next step.
// Otherwise the user has to register again to get a new link.
const register = document.getElementById('link-register');
const login = document.getElementById('link-login');
const [primary, secondary] = reason === 'used' ? [login, register] : [register, login];
primary.className = 'btn btn-primary';
secondary.className = 'btn btn-secondary';
document.getElementById('error-actions').replaceChildren(primary, secondary);
document.getElementById('error-icon').className =
  `result-icon ${reason === 'used' ? 'result-icon-info' : 'result-icon-error'}`;

translatePage();
