// What the interface's scripts share: the session's CSRF token, the
// translated messages of the page, and calls to the JSON API.
//
// The page's <head> carries both, from the server's templates:
//   <meta name="csrf-token" content="...">        (with a session)
//   <meta name="cuttle-messages" content="{...}">  (the js.* messages)
//
// The API accepts the session cookie only with the X-CSRF-Token header.
// When the server refreshes an expired session during a call, its answer
// carries the new token in the same header, and the next call sends it.

let csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || '';

const messages = (() => {
  try {
    return JSON.parse(document.querySelector('meta[name="cuttle-messages"]')?.content || '{}');
  } catch {
    return {};
  }
})();

// t returns the message for key with {name} placeholders filled from vars.
export function t(key, vars = {}) {
  const m = messages[key] ?? key;
  return m.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? '').toString());
}

export function csrf() {
  return csrfToken;
}

// noteToken keeps the token a refreshed session answered with.
export function noteToken(getHeader) {
  const next = getHeader('X-CSRF-Token');
  if (next) csrfToken = next;
}

// ApiError is a refused call, with the problem document's detail and the
// fields it names.
export class ApiError extends Error {
  constructor(status, problem) {
    super(status === 401 ? t('js.session.ended') : problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || '';
    this.params = problem['invalid-params'] || {};
  }
}

export async function toError(res) {
  let problem = {};
  try {
    problem = await res.json();
  } catch {
    // Not a problem document (a proxy's error page, say): the status is all.
  }
  return new ApiError(res.status, problem);
}

// request calls the API; body is sent as JSON unless it is FormData. A
// 308 (the resumable upload's "go on") is not an error.
export async function request(method, url, body, extraHeaders = {}) {
  const init = { method, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrfToken, ...extraHeaders } };
  if (body instanceof FormData || body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined && body !== null) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  noteToken((name) => res.headers.get(name));
  if (!res.ok && res.status !== 308) throw await toError(res);
  return res;
}

// announce writes a message into a status element, marking errors.
export function announce(el, message, isError = false) {
  if (!el) return;
  el.textContent = message;
  el.classList.toggle('error', isError);
}
