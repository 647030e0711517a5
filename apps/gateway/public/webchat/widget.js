/*
 * Ponte web chat widget (protocol: docs/webchat.md). Plain ES2019, no build step.
 * <script src="https://gateway.example/webchat/widget.js" data-inbox="website" async></script>
 * Calls made before it loads wait in a queue:
 *   window.Ponte = window.Ponte || { q: [] }; Ponte.q.push(['setUser', { name: 'Ana' }]);
 */
(function () {
  'use strict';

  const API = '/api/v1/webchat';
  const LIVE_PATH = API + '/live';
  const CONNECT_TIMEOUT_MS = 5000;
  const DISCONNECT_GRACE_MS = 10000;
  const POLL_INTERVAL_MS = 3000;
  const ACK_TIMEOUT_MS = 15000;
  const TYPING_THROTTLE_MS = 2000;
  const TYPING_IDLE_MS = 3000;
  const AGENT_TYPING_TIMEOUT_MS = 30000; // an agent's typing:false can be lost with their connection
  const PAGE_SIZE = 50;
  const USER_FIELDS = ['name', 'email', 'emailHash', 'phone', 'phoneHash'];
  const TICKS = { sending: 'sending…', sent: '✓ sent', seen: '✓✓ seen', failed: 'not sent' };

  if (window.Ponte && window.Ponte.widgetLoaded) return;
  const script = findOwnScript();
  const inboxId = script && script.getAttribute('data-inbox');
  if (!inboxId) {
    console.warn('[Ponte] widget.js needs a data-inbox attribute on its script tag.');
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  const tokenKey = 'ponte.webchat.' + inboxId + '.token';

  const state = {
    token: readToken(),
    visitorId: null,
    user: {},
    sessionStarted: false,
    authRetried: false,
    socket: null,
    open: false,
    entries: new Map(), // messageId → rendered message
    pending: new Map(), // clientMessageId → visitor message not yet accepted by the server
    lastId: null, // last messageId fetched over REST: the `after` cursor
    lastAgentId: null,
    lastReadId: null,
    unread: 0,
  };
  const timers = {
    fallback: null,
    poll: null,
    read: null,
    typingIdle: null,
    agentTyping: null,
    notice: null,
  };
  let ui = null;
  let sessionQueue = Promise.resolve();
  let ioPromise = null;
  let fetching = false;
  let refetch = false;
  let typingActive = false;
  let typingSentAt = 0;

  function findOwnScript() {
    if (document.currentScript) return document.currentScript;
    const scripts = Array.from(document.getElementsByTagName('script'));
    return scripts.find((s) => s.src && new URL(s.src).pathname.endsWith('/webchat/widget.js')) || null;
  }

  // Best-effort calls (read receipts, typing) whose answer nobody waits for.
  function noop() {
    return undefined;
  }

  function readToken() {
    try {
      return localStorage.getItem(tokenKey);
    } catch {
      return null;
    }
  }

  function writeToken(token) {
    try {
      if (token) localStorage.setItem(tokenKey, token);
      else localStorage.removeItem(tokenKey);
    } catch {
      // Storage blocked (privacy settings, sandboxed frame): the visitor lasts as long as the page.
    }
  }

  function newId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // randomUUID exists only in secure contexts; build a v4 UUID by hand elsewhere.
    const b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
  }

  // ---- HTTP ----

  async function api(method, path, body, withToken) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withToken !== false && state.token) headers.Authorization = 'Bearer ' + state.token;
    const res = await fetch(origin + API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    return { ok: res.ok, status: res.status, data };
  }

  function problemCode(problem) {
    if (!problem) return '';
    const type = String(problem.type || '');
    return problem.code || type.slice(type.lastIndexOf(':') + 1);
  }

  function problemDetail(problem) {
    return (problem && (problem.detail || problem.title)) || '';
  }

  // ---- Session ----

  function pickUser(user) {
    const picked = {};
    USER_FIELDS.forEach((field) => {
      if (user && typeof user[field] === 'string' && user[field].trim()) picked[field] = user[field].trim();
    });
    return picked;
  }

  function ensureSession() {
    if (!state.sessionStarted) startSession();
  }

  function startSession() {
    state.sessionStarted = true;
    // Serialised: setUser() may be called while an earlier session request is still running.
    sessionQueue = sessionQueue.then(createSession).catch((err) => {
      console.warn('[Ponte] ' + err.message);
      showNotice('The chat is unavailable right now. Please try again later.');
    });
    return sessionQueue;
  }

  function postSession(token, identity) {
    return api('POST', '/sessions', Object.assign({ inboxId }, token ? { token } : {}, identity), false);
  }

  async function createSession() {
    let token = state.token;
    let res = await postSession(token, state.user);
    if (res.status === 401 && token) {
      token = null; // expired or unknown token: start over as a new visitor
      res = await postSession(token, state.user);
    }
    if (res.status === 403 && problemCode(res.data) === 'identity-verification-failed') {
      console.warn('[Ponte] setUser: ' + problemDetail(res.data) + ' Continuing without the identity.');
      state.user = {};
      res = await postSession(token, {});
    }
    if (!res.ok || !res.data || !res.data.token) {
      throw new Error(
        problemDetail(res.data) || 'Could not start the chat session (HTTP ' + res.status + ').',
      );
    }
    applySession(res.data);
  }

  function applySession(session) {
    if (state.visitorId && session.visitorId !== state.visitorId) resetConversation();
    state.visitorId = session.visitorId;
    state.token = session.token;
    writeToken(session.token);
    fetchNew();
    connect();
  }

  function sessionRefused() {
    if (state.authRetried) return;
    state.authRetried = true;
    startSession();
  }

  function resetConversation() {
    state.entries.clear();
    state.pending.clear();
    state.lastId = state.lastAgentId = state.lastReadId = null;
    state.unread = 0;
    ui.list.textContent = '';
    updateBadge();
  }

  // Not in the protocol: setUser(null) on logout forgets the visitor and its token, so the next person using
  // this browser does not see the conversation.
  function forgetVisitor() {
    if (state.socket) state.socket.disconnect();
    stopPolling();
    clearTimeout(timers.fallback);
    state.token = state.visitorId = null;
    state.user = {};
    state.sessionStarted = false;
    writeToken(null);
    resetConversation();
    if (state.open) startSession();
  }

  // ---- Socket, with the REST fallback ----

  function loadSocketIo() {
    if (!ioPromise) {
      ioPromise = new Promise((resolve, reject) => {
        const hostIo = window.io; // the host page may use its own socket.io version: restore it afterwards
        const tag = document.createElement('script');
        tag.src = origin + LIVE_PATH + '/socket.io.min.js';
        tag.async = true;
        tag.onload = () => {
          const io = window.io;
          if (hostIo) window.io = hostIo;
          if (typeof io === 'function') resolve(io);
          else reject(new Error('socket.io client missing'));
        };
        tag.onerror = () => reject(new Error('could not load the socket.io client'));
        (document.head || document.documentElement).appendChild(tag);
      });
    }
    return ioPromise;
  }

  function connect() {
    armFallback(CONNECT_TIMEOUT_MS);
    loadSocketIo().then(
      (io) => {
        if (state.socket) {
          state.socket.disconnect().connect(); // reconnect with the new token
          return;
        }
        state.socket = io(origin, {
          path: LIVE_PATH,
          transports: ['websocket'],
          auth: (cb) => cb({ token: state.token }), // read on every (re)connection
        });
        state.socket.on('connect', onConnect);
        state.socket.on('disconnect', onDisconnect);
        state.socket.on('connect_error', onConnectError);
        state.socket.on('message', onAgentMessage);
        state.socket.on('typing', showAgentTyping);
        state.socket.on('seen', onSeen);
      },
      (err) => {
        console.warn('[Ponte] ' + err.message + '; polling instead.');
        startPolling();
      },
    );
  }

  function isLive() {
    return Boolean(state.socket && state.socket.connected);
  }

  function armFallback(ms) {
    clearTimeout(timers.fallback);
    timers.fallback = setTimeout(() => {
      if (!isLive() && state.token) startPolling();
    }, ms);
  }

  function onConnect() {
    clearTimeout(timers.fallback);
    stopPolling();
    state.authRetried = false;
    fetchNew();
    flushPending();
    markRead();
  }

  function onDisconnect() {
    state.pending.forEach((p) => (p.inFlight = false));
    if (state.token) armFallback(DISCONNECT_GRACE_MS);
  }

  function onConnectError() {
    // Not active: the server refused the handshake (e.g. an expired token) and socket.io will not retry.
    if (state.socket.active) return;
    startPolling();
    sessionRefused();
  }

  function startPolling() {
    if (timers.poll) return;
    timers.poll = setInterval(pollOnce, POLL_INTERVAL_MS);
    pollOnce();
  }

  function stopPolling() {
    clearInterval(timers.poll);
    timers.poll = null;
  }

  function pollOnce() {
    fetchNew();
    flushPending();
  }

  // Fetches every message after the cursor; a call made while one runs queues a single rerun.
  function fetchNew() {
    if (!state.token) return;
    if (fetching) {
      refetch = true;
      return;
    }
    fetching = true;
    fetchPages()
      .catch((err) => console.warn('[Ponte] could not load messages: ' + err.message))
      .then(() => {
        fetching = false;
        if (refetch) {
          refetch = false;
          fetchNew();
        }
      });
  }

  async function fetchPages() {
    const token = state.token;
    for (;;) {
      const after = state.lastId ? '&after=' + encodeURIComponent(state.lastId) : '';
      const res = await api('GET', '/messages?limit=' + PAGE_SIZE + after);
      if (token !== state.token) return; // the visitor changed meanwhile
      if (res.status === 401) return sessionRefused();
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const items = (res.data && res.data.items) || [];
      items.forEach((item) => addServerMessage(item));
      if (items.length) state.lastId = items[items.length - 1].messageId;
      if (items.length < PAGE_SIZE) return;
    }
  }

  function emitWithAck(event, payload, onResult) {
    state.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, result) => onResult(err ? null : result));
  }

  // ---- Messages ----

  function onAgentMessage(message, ack) {
    addServerMessage(message);
    if (typeof ack === 'function') ack();
    hideAgentTyping();
  }

  // An agent has seen the visitor's messages up to `upTo` (entries are kept in the order they were shown).
  function onSeen(event) {
    if (!event || !state.entries.has(event.upTo)) return;
    for (const [messageId, entry] of state.entries) {
      if (entry.tick && entry.tick.textContent === TICKS.sent) setTick(entry, 'seen');
      if (messageId === event.upTo) return;
    }
  }

  function addServerMessage(item) {
    if (!item || !item.messageId || state.entries.has(item.messageId)) return;
    const mine = item.direction !== 'outgoing';
    const entry = renderMessage(mine, item.text, item.author, item.createdAt);
    state.entries.set(item.messageId, entry);
    if (mine) setTick(entry, 'sent');
    else noteAgentMessage(item.messageId, item.deliveryState === 'read');
  }

  function noteAgentMessage(messageId, alreadyRead) {
    state.lastAgentId = messageId;
    if (alreadyRead) state.lastReadId = messageId;
    else if (canMarkRead()) scheduleMarkRead();
    else {
      state.unread += 1;
      updateBadge();
    }
  }

  function canMarkRead() {
    return state.open && document.visibilityState === 'visible';
  }

  // Coalesces a page of history into one read receipt.
  function scheduleMarkRead() {
    clearTimeout(timers.read);
    timers.read = setTimeout(markRead, 200);
  }

  function markRead() {
    const messageId = state.lastAgentId;
    if (!canMarkRead()) return;
    state.unread = 0;
    updateBadge();
    if (!messageId || messageId === state.lastReadId || !state.token) return;
    state.lastReadId = messageId;
    if (isLive()) emitWithAck('read', { messageId }, noop);
    else api('POST', '/read', { messageId }).catch(noop);
  }

  function sendMessage(text) {
    const pending = { clientMessageId: newId(), text, inFlight: false, attempt: 0 };
    pending.entry = renderMessage(true, text, null, new Date().toISOString());
    setTick(pending.entry, 'sending');
    state.pending.set(pending.clientMessageId, pending);
    ensureSession();
    flushPending();
  }

  // Unacknowledged messages go again with the same clientMessageId: the server treats a duplicate as a no-op.
  function flushPending() {
    if (!state.token) return;
    state.pending.forEach((p) => {
      if (!p.inFlight) deliver(p);
    });
  }

  function deliver(p) {
    const payload = { clientMessageId: p.clientMessageId, text: p.text };
    const attempt = ++p.attempt;
    const settle = (result) => {
      if (attempt === p.attempt) onSendResult(p, result);
    };
    if (isLive()) {
      p.inFlight = true;
      emitWithAck('message', payload, settle);
    } else if (timers.poll) {
      p.inFlight = true;
      api('POST', '/messages', payload).then(
        (res) => {
          if (res.ok) settle({ ok: true, messageId: res.data && res.data.messageId });
          else if (res.status === 401) {
            settle(null);
            sessionRefused();
          } else if (res.status >= 400 && res.status < 500 && res.status !== 429)
            settle({ ok: false, problem: res.data });
          else settle(null);
        },
        () => settle(null),
      );
    }
    // Otherwise neither live nor polling yet: sent on connect or on the first poll.
  }

  function onSendResult(p, result) {
    if (state.pending.get(p.clientMessageId) !== p) return;
    if (!result) {
      p.inFlight = false; // timed out or failed: retried on reconnection or the next poll
      if (isLive()) deliver(p);
      return;
    }
    state.pending.delete(p.clientMessageId);
    if (!result.ok) {
      setTick(p.entry, 'failed');
      showNotice(problemDetail(result.problem || result.error) || 'The message could not be sent.');
    } else if (result.messageId && state.entries.has(result.messageId)) {
      p.entry.row.remove(); // a history fetch showed it first
    } else {
      if (result.messageId) state.entries.set(result.messageId, p.entry);
      setTick(p.entry, 'sent');
    }
  }

  // ---- Typing ----

  function onComposerInput() {
    clearTimeout(timers.typingIdle);
    timers.typingIdle = setTimeout(stopTyping, TYPING_IDLE_MS);
    if (Date.now() - typingSentAt < TYPING_THROTTLE_MS) return;
    typingSentAt = Date.now();
    typingActive = true;
    sendTyping(true);
  }

  function stopTyping() {
    clearTimeout(timers.typingIdle);
    if (!typingActive) return;
    typingActive = false;
    typingSentAt = 0;
    sendTyping(false);
  }

  function sendTyping(typing) {
    if (!state.token) return;
    if (isLive()) emitWithAck('typing', { typing }, noop);
    else if (timers.poll) api('POST', '/typing', { typing }).catch(noop);
  }

  function showAgentTyping(event) {
    clearTimeout(timers.agentTyping);
    if (!event || !event.typing) return hideAgentTyping();
    const by = typeof event.by === 'string' ? event.by : event.by && event.by.displayName;
    ui.typing.textContent = (by || 'An agent') + ' is typing…';
    ui.typing.hidden = false;
    timers.agentTyping = setTimeout(hideAgentTyping, AGENT_TYPING_TIMEOUT_MS);
  }

  function hideAgentTyping() {
    clearTimeout(timers.agentTyping);
    ui.typing.hidden = true;
  }

  // ---- UI (Shadow DOM; every text goes in through textContent) ----

  const CSS = `
    :host { all: initial; }
    [hidden] { display: none !important; }
    .root { font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2933; }
    button, textarea { font: inherit; }
    .bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px;
      border: 0; border-radius: 50%; background: #2563eb; color: #fff; font-size: 26px; cursor: pointer;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px;
      box-sizing: border-box; border-radius: 10px; background: #dc2626; font-size: 12px; line-height: 20px; }
    .panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000;
      display: flex; flex-direction: column; width: 340px; max-width: calc(100vw - 40px);
      height: 480px; max-height: calc(100vh - 120px);
      overflow: hidden; border-radius: 12px; background: #fff; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.25); }
    .header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px;
      background: #2563eb; color: #fff; font-weight: 600; }
    .close { border: 0; background: none; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; }
    .notice { padding: 6px 14px; background: #fef3c7; color: #92400e; font-size: 12px; }
    .messages { flex: 1; display: flex; flex-direction: column; gap: 8px; margin: 0; padding: 12px;
      overflow-y: auto; list-style: none; background: #f8fafc; }
    .msg { max-width: 80%; padding: 8px 10px; border-radius: 10px; }
    .msg.agent { align-self: flex-start; background: #e5e7eb; }
    .msg.mine { align-self: flex-end; background: #2563eb; color: #fff; }
    .author { display: block; margin-bottom: 2px; color: #4b5563; font-size: 11px; font-weight: 600; }
    .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .tick { display: block; margin-top: 2px; font-size: 10px; text-align: right; opacity: 0.8; }
    .tick.failed { color: #fecaca; opacity: 1; }
    .typing { padding: 4px 14px; color: #6b7280; font-size: 12px; font-style: italic; }
    .composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; }
    .composer textarea { flex: 1; box-sizing: border-box; min-height: 38px; max-height: 120px;
      padding: 6px 8px; resize: none; border: 1px solid #d1d5db; border-radius: 8px; }
    .composer button { padding: 0 14px; border: 0; border-radius: 8px; background: #2563eb; color: #fff;
      cursor: pointer; }
  `;

  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => {
      if (name === 'text') node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function addStyles(shadow) {
    // A constructed stylesheet needs no 'unsafe-inline' under a strict style-src CSP.
    if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } else shadow.appendChild(h('style', { text: CSS }));
  }

  function buildUi() {
    const host = document.createElement('ponte-webchat');
    host.style.setProperty('all', 'initial', 'important');
    const shadow = host.attachShadow({ mode: 'open' });
    addStyles(shadow);
    ui = {
      badge: h('span', { class: 'badge', hidden: '' }),
      notice: h('div', { class: 'notice', role: 'status', hidden: '' }),
      list: h('ol', { class: 'messages', 'aria-live': 'polite' }),
      typing: h('div', { class: 'typing', hidden: '' }),
      textarea: h('textarea', { rows: '2', placeholder: 'Write a message…', 'aria-label': 'Message' }),
      close: h('button', { type: 'button', class: 'close', 'aria-label': 'Close chat', text: '×' }),
    };
    ui.bubble = h(
      'button',
      { type: 'button', class: 'bubble', 'aria-label': 'Open chat', 'aria-expanded': 'false' },
      [h('span', { text: '💬', 'aria-hidden': 'true' }), ui.badge],
    );
    ui.form = h('form', { class: 'composer' }, [ui.textarea, h('button', { type: 'submit', text: 'Send' })]);
    ui.panel = h('section', { class: 'panel', role: 'dialog', 'aria-label': 'Chat', hidden: '' }, [
      h('div', { class: 'header' }, [h('span', { text: 'Chat' }), ui.close]),
      ui.notice,
      ui.list,
      ui.typing,
      ui.form,
    ]);
    shadow.appendChild(h('div', { class: 'root' }, [ui.bubble, ui.panel]));
    document.body.appendChild(host);

    ui.bubble.addEventListener('click', () => (state.open ? closePanel() : openPanel()));
    ui.close.addEventListener('click', closePanel);
    ui.form.addEventListener('submit', onSubmit);
    ui.textarea.addEventListener('input', onComposerInput);
    ui.textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) onSubmit(e);
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    const text = ui.textarea.value.trim();
    if (!text) return;
    ui.textarea.value = '';
    stopTyping();
    sendMessage(text);
  }

  function renderMessage(mine, text, author, createdAt) {
    const row = h('li', { class: mine ? 'msg mine' : 'msg agent' });
    if (!mine && author && author.displayName)
      row.appendChild(h('span', { class: 'author', text: author.displayName }));
    row.appendChild(h('p', { class: 'text', text: text || '' }));
    if (createdAt) row.title = new Date(createdAt).toLocaleString();
    const tick = mine ? row.appendChild(h('span', { class: 'tick' })) : null;
    const atBottom = ui.list.scrollHeight - ui.list.scrollTop - ui.list.clientHeight < 40;
    ui.list.appendChild(row);
    if (atBottom) ui.list.scrollTop = ui.list.scrollHeight;
    return { row, tick };
  }

  function setTick(entry, status) {
    entry.tick.className = 'tick ' + status;
    entry.tick.textContent = TICKS[status];
  }

  function updateBadge() {
    ui.badge.textContent = state.unread > 99 ? '99+' : String(state.unread);
    ui.badge.hidden = state.unread === 0;
  }

  function showNotice(text) {
    clearTimeout(timers.notice);
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
    if (text) timers.notice = setTimeout(() => showNotice(''), 8000);
  }

  function openPanel() {
    state.open = true;
    ui.panel.hidden = false;
    ui.bubble.setAttribute('aria-expanded', 'true');
    ensureSession();
    markRead();
    ui.list.scrollTop = ui.list.scrollHeight;
    ui.textarea.focus();
  }

  function closePanel() {
    state.open = false;
    ui.panel.hidden = true;
    ui.bubble.setAttribute('aria-expanded', 'false');
    stopTyping();
  }

  function setUser(user) {
    if (user === null) {
      sessionQueue = sessionQueue.then(forgetVisitor); // after any session request still running
      return;
    }
    state.user = pickUser(user);
    startSession();
  }

  // ---- Start ----

  function init() {
    buildUi();
    document.addEventListener('visibilitychange', markRead);
    const queued = window.Ponte && Array.isArray(window.Ponte.q) ? window.Ponte.q : [];
    window.Ponte = { open: openPanel, close: closePanel, setUser, widgetLoaded: true };
    queued.forEach((call) => {
      const method = Array.isArray(call) && window.Ponte[call[0]];
      if (typeof method === 'function') method(...call.slice(1));
    });
    // A returning visitor resumes at once (agents may have answered); a new one starts on opening the chat.
    if (state.token) ensureSession();
  }

  if (document.body) init();
  else document.addEventListener('DOMContentLoaded', init);
})();
