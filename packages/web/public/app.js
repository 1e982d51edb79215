/**
 * Lifeboat console, walking-skeleton edition: one vanilla ES module, no framework, no build step.
 *
 * It speaks only the public contract: `POST /auth/login`, and GraphQL (graphql/schema.graphql)
 * at `/graphql` over HTTP (queries, mutations) and WebSocket (subscriptions, graphql-ws).
 * Views: sign-in, the dashboard (`#/`) and the live runbook of one execution
 * (`#/executions/<id>`). The React + Vite + Cloudscape console replaces it later.
 *
 * Everything that touches the DOM starts in `boot()`, which runs only in a browser, so the
 * protocol pieces (login, graphql, SubscriptionClient, formatting helpers) can be imported and
 * exercised from Node as well.
 */

// ---------------------------------------------------------------------------------------------
// Contract: the operations this console sends.
// ---------------------------------------------------------------------------------------------

/** Fields of an execution, shared by the query and the `executionUpdated` subscription. */
const EXECUTION_FIELDS = `
  id planName planVersion mode status startedAt completedAt startedBy version
  waves {
    id name status dependsOn launchOrder startedAt completedAt
    servers {
      sourceServerId hostname criticality status jobId recoveryInstanceId
      checks { name status durationMs }
    }
  }
`;

const EVENT_FIELDS = 'streamVersion type occurredAt';

export const OPERATIONS = Object.freeze({
  sourceServers: `query SourceServers {
    sourceServers(first: 100) {
      items { id hostname os accountId region replicationState readyForRecovery tags { key value } }
      nextCursor
    }
  }`,
  protectionGroups: `query ProtectionGroups {
    protectionGroups(first: 100) {
      items { id name accountId region sourceServerIds }
      nextCursor
    }
  }`,
  recoveryPlans: `query RecoveryPlans {
    recoveryPlans(first: 100) {
      items { id name version waves { id name dependsOn launchOrder } }
      nextCursor
    }
  }`,
  executions: `query Executions {
    executions(first: 20) {
      items { id planName mode status startedAt completedAt }
      nextCursor
    }
  }`,
  startDrill: `mutation StartDrill($planId: ID!) {
    startExecution(input: { planId: $planId, mode: DRILL }) { id }
  }`,
  execution: `query Execution($id: ID!) {
    execution(id: $id) { ${EXECUTION_FIELDS} }
    executionEvents(id: $id) { ${EVENT_FIELDS} }
  }`,
  executionUpdated: `subscription ExecutionUpdated($id: ID!) {
    executionUpdated(id: $id) { ${EXECUTION_FIELDS} }
  }`,
  executionEvents: `subscription ExecutionEvents($id: ID!) {
    executionEvents(id: $id) { ${EVENT_FIELDS} }
  }`,
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A failed request, with the GraphQL `extensions.code` (or a local code such as NETWORK_ERROR). */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   */
  constructor(message, code) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export const FORBIDDEN_MESSAGE = 'Your role does not allow this.';
const NETWORK_MESSAGE = 'Could not reach Lifeboat. Check that the server is running (locally: npm start) and try again.';

/**
 * The error to raise for a GraphQL `errors` array: the authentication or permission error when
 * there is one (they decide what the console does next), else the first.
 * @param {Array<{ message?: string, extensions?: { code?: string } }>} errors
 */
export function errorFromGraphQL(errors) {
  const list = Array.isArray(errors) ? errors : [];
  const codeOf = (e) => (e && e.extensions && typeof e.extensions.code === 'string' ? e.extensions.code : 'UNKNOWN');
  const chosen =
    list.find((e) => codeOf(e) === 'UNAUTHENTICATED') ?? list.find((e) => codeOf(e) === 'FORBIDDEN') ?? list[0] ?? { message: 'Unknown error' };
  const message = typeof chosen.message === 'string' && chosen.message ? chosen.message : 'Unknown error';
  return new ApiError(message, codeOf(chosen));
}

/** What to tell the user about an error (never a stack trace). */
export function describeError(error) {
  if (error instanceof ApiError) return error.code === 'FORBIDDEN' ? FORBIDDEN_MESSAGE : error.message;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

const isAbort = (error) => error instanceof Error && error.name === 'AbortError';

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Session (sessionStorage: gone when the tab closes)
// ---------------------------------------------------------------------------------------------

const SESSION_KEY = 'lifeboat.session';

/**
 * @typedef {{ idToken: string, tokenType: string, username: string, roles: string[], expiresAt: number | null }} Session
 */

/** The stored session, or null when there is none or its token has expired. */
export function loadSession(storage = globalThis.sessionStorage, now = Date.now()) {
  let session;
  try {
    session = JSON.parse(storage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    session = null;
  }
  const valid =
    session !== null &&
    typeof session === 'object' &&
    typeof session.idToken === 'string' &&
    session.idToken !== '' &&
    (session.expiresAt === null || (typeof session.expiresAt === 'number' && session.expiresAt > now));
  if (!valid) {
    if (session !== null) storage.removeItem(SESSION_KEY);
    return null;
  }
  return { ...session, roles: Array.isArray(session.roles) ? session.roles.map(String) : [] };
}

function saveSession(session, storage = globalThis.sessionStorage) {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

function clearSession(storage = globalThis.sessionStorage) {
  storage.removeItem(SESSION_KEY);
}

// ---------------------------------------------------------------------------------------------
// HTTP: login and GraphQL (same origin)
// ---------------------------------------------------------------------------------------------

/**
 * `POST /auth/login` with `{ username, password }`. Answers the session to keep, or throws an
 * ApiError (code LOGIN_FAILED for a 401) with the server's message.
 * @returns {Promise<Session>}
 */
export async function login(username, password, { fetchImpl = globalThis.fetch, now = Date.now } = {}) {
  let response;
  try {
    response = await fetchImpl('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new ApiError(NETWORK_MESSAGE, 'NETWORK_ERROR');
  }
  const body = await readJson(response);
  const serverMessage = body && typeof body.error === 'string' ? body.error : undefined;
  if (response.status === 401) throw new ApiError(serverMessage ?? 'Invalid username or password.', 'LOGIN_FAILED');
  if (!response.ok) throw new ApiError(serverMessage ?? `Sign-in failed: the server answered ${response.status}.`, 'HTTP_ERROR');
  if (!body || typeof body.idToken !== 'string' || body.idToken === '') {
    throw new ApiError('Sign-in failed: the server answered without a token.', 'BAD_RESPONSE');
  }
  const expiresIn = Number(body.expiresIn);
  return {
    idToken: body.idToken,
    tokenType: typeof body.tokenType === 'string' ? body.tokenType : 'Bearer',
    username: typeof body.username === 'string' ? body.username : username,
    roles: Array.isArray(body.roles) ? body.roles.map(String) : [],
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : null,
  };
}

/**
 * One GraphQL operation over `POST /graphql` with the bearer token. Answers `data`, or throws an
 * ApiError carrying `errors[].extensions.code` (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ...).
 * An aborted request rejects with the AbortError itself.
 */
export async function graphql(query, variables, { token, signal, fetchImpl = globalThis.fetch } = {}) {
  let response;
  try {
    response = await fetchImpl('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(NETWORK_MESSAGE, 'NETWORK_ERROR');
  }
  const body = await readJson(response);
  if (signal?.aborted) throw signal.reason ?? new DOMException('The request was aborted', 'AbortError');
  if (body && Array.isArray(body.errors) && body.errors.length > 0) throw errorFromGraphQL(body.errors);
  if (response.status === 401) throw new ApiError('Your session has expired.', 'UNAUTHENTICATED');
  if (!response.ok || !body || typeof body.data !== 'object' || body.data === null) {
    throw new ApiError(`Lifeboat answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} without data.`, 'HTTP_ERROR');
  }
  return body.data;
}

// ---------------------------------------------------------------------------------------------
// GraphQL subscriptions over WebSocket: a small hand-written graphql-ws client
// ---------------------------------------------------------------------------------------------
//
// Protocol "graphql-transport-ws" (the graphql-ws library's protocol), every message a JSON text:
//
//   client -> server  { type: 'connection_init', payload: { authorization: 'Bearer <idToken>' } }
//                     sent once, right after the socket opens (the server verifies the token)
//   server -> client  { type: 'connection_ack', payload? }   now subscriptions may be sent
//   client -> server  { id, type: 'subscribe', payload: { query, variables, operationName? } }
//                     ids are unique among this connection's active subscriptions
//   server -> client  { id, type: 'next', payload: { data?, errors? } }   one result per change
//   server -> client  { id, type: 'error', payload: [GraphQLFormattedError, ...] }
//                     the subscription failed before it started (validation, auth); it is over
//   both directions   { id, type: 'complete' }   the sender ends that subscription
//   both directions   { type: 'ping', payload? } must be answered with { type: 'pong', payload? }
//   both directions   { type: 'pong', payload? }
//
// Close codes that matter: 1000 normal, 1001 going away (server stopping: reconnect),
// 4400 bad request, 4401 unauthorized (subscribe before ack), 4403 forbidden (token refused at
// connection_init: sign in again), 4406 subprotocol not acceptable, 4408 connection_init timeout,
// 4409 subscriber for that id already exists, 4429 too many connection_init, 4500 internal.
// This client closes with 4504 itself when no connection_ack comes in time, then reconnects.

const SUBPROTOCOL = 'graphql-transport-ws';

export const CLOSE_CODES = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  BAD_REQUEST: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  SUBPROTOCOL_NOT_ACCEPTABLE: 4406,
  CONNECTION_INIT_TIMEOUT: 4408,
  SUBSCRIBER_ALREADY_EXISTS: 4409,
  TOO_MANY_INITIALISATION_REQUESTS: 4429,
  INTERNAL_ERROR: 4500,
  ACK_TIMEOUT: 4504,
});

/** Closes after which reconnecting would only fail the same way. */
const FATAL_CLOSE_CODES = new Set([
  CLOSE_CODES.BAD_REQUEST,
  CLOSE_CODES.SUBPROTOCOL_NOT_ACCEPTABLE,
  CLOSE_CODES.SUBSCRIBER_ALREADY_EXISTS,
  CLOSE_CODES.TOO_MANY_INITIALISATION_REQUESTS,
]);

/** The WebSocket URL of GraphQL for a page location: ws(s)://<host>/graphql. */
export function subscriptionUrl(loc = globalThis.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/graphql`;
}

/**
 * One WebSocket connection carrying any number of subscriptions, reconnecting with backoff
 * (1 s, 2 s, 4 s ... 15 s) after an unexpected close and subscribing again after each ack.
 *
 * Callbacks: `onStatus(state, detail)` with state connecting | live | reconnecting (detail.delayMs)
 * | ended (every subscription completed) | closed (by close()) | failed (detail.message);
 * `onConnected({ reconnected })` after every connection_ack; `onAuthFailure()` when the server
 * refuses the token (close 4403).
 */
export class SubscriptionClient {
  #url;
  #getToken;
  #WebSocketImpl;
  #onStatus;
  #onConnected;
  #onAuthFailure;
  #ackTimeoutMs;
  #socket = null;
  #acked = false;
  #closed = false;
  #everAcked = false;
  #attempt = 0;
  #retryTimer = null;
  #ackTimer = null;
  #nextId = 1;
  /** @type {Map<string, { payload: object, sink: { next?: Function, error?: Function, complete?: Function } }>} */
  #subscriptions = new Map();

  constructor({ url, getToken, onStatus, onConnected, onAuthFailure, WebSocketImpl = globalThis.WebSocket, ackTimeoutMs = 10_000 }) {
    this.#url = url;
    this.#getToken = getToken;
    this.#WebSocketImpl = WebSocketImpl;
    this.#onStatus = onStatus ?? (() => {});
    this.#onConnected = onConnected ?? (() => {});
    this.#onAuthFailure = onAuthFailure ?? (() => {});
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  /**
   * Starts a subscription (connecting first if needed). Answers a function that ends it.
   * @param {{ query: string, variables?: object, operationName?: string }} payload
   * @param {{ next?: (result: object) => void, error?: (errors: object[]) => void, complete?: () => void }} sink
   */
  subscribe(payload, sink) {
    if (this.#closed) throw new Error('SubscriptionClient is closed');
    const id = String(this.#nextId++);
    this.#subscriptions.set(id, { payload, sink });
    if (this.#acked) this.#send({ id, type: 'subscribe', payload });
    else if (!this.#socket && !this.#retryTimer) this.#connect();
    return () => {
      if (this.#subscriptions.delete(id) && this.#acked) this.#send({ id, type: 'complete' });
    };
  }

  /** Ends every subscription and closes the connection for good. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#ackTimer);
    this.#retryTimer = null;
    if (this.#acked) for (const id of this.#subscriptions.keys()) this.#send({ id, type: 'complete' });
    this.#subscriptions.clear();
    const socket = this.#socket;
    this.#socket = null;
    this.#acked = false;
    if (socket && socket.readyState <= 1) socket.close(CLOSE_CODES.NORMAL, 'Normal Closure');
    this.#onStatus('closed', {});
  }

  #send(message) {
    if (this.#socket && this.#socket.readyState === 1) this.#socket.send(JSON.stringify(message));
  }

  #connect() {
    if (this.#closed || this.#socket) return;
    this.#retryTimer = null;
    this.#onStatus(this.#attempt === 0 && !this.#everAcked ? 'connecting' : 'reconnecting', { delayMs: 0 });
    let socket;
    try {
      socket = new this.#WebSocketImpl(this.#url, SUBPROTOCOL);
    } catch (error) {
      this.#fail(`Could not open ${this.#url}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.#socket = socket;
    this.#acked = false;

    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#send({ type: 'connection_init', payload: { authorization: `Bearer ${this.#getToken()}` } });
      this.#ackTimer = setTimeout(() => {
        if (socket === this.#socket && !this.#acked) socket.close(CLOSE_CODES.ACK_TIMEOUT, 'Connection acknowledgement timeout');
      }, this.#ackTimeoutMs);
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#receive(socket, event.data);
    };
    // An error is always followed by a close, where it is handled.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (socket === this.#socket) this.#closedBy(event);
    };
  }

  #receive(socket, data) {
    let message;
    try {
      message = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      socket.close(CLOSE_CODES.BAD_REQUEST, 'Invalid message received');
      return;
    }
    const entry = message && typeof message.id === 'string' ? this.#subscriptions.get(message.id) : undefined;
    switch (message && message.type) {
      case 'connection_ack': {
        clearTimeout(this.#ackTimer);
        const reconnected = this.#everAcked;
        this.#acked = true;
        this.#everAcked = true;
        this.#attempt = 0;
        this.#onStatus('live', {});
        for (const [id, { payload }] of this.#subscriptions) this.#send({ id, type: 'subscribe', payload });
        this.#onConnected({ reconnected });
        break;
      }
      case 'ping':
        this.#send(message.payload === undefined ? { type: 'pong' } : { type: 'pong', payload: message.payload });
        break;
      case 'pong':
        break;
      case 'next':
        entry?.sink.next?.(message.payload ?? {});
        break;
      case 'error':
        if (entry) {
          this.#subscriptions.delete(message.id);
          entry.sink.error?.(Array.isArray(message.payload) ? message.payload : [message.payload]);
          this.#endIfIdle();
        }
        break;
      case 'complete':
        if (entry) {
          this.#subscriptions.delete(message.id);
          entry.sink.complete?.();
          this.#endIfIdle();
        }
        break;
      default:
        socket.close(CLOSE_CODES.BAD_REQUEST, `Unexpected message type ${String(message && message.type)}`);
    }
  }

  /** Every subscription is over: close the connection (a later subscribe opens a new one). */
  #endIfIdle() {
    if (this.#subscriptions.size > 0 || !this.#socket) return;
    const socket = this.#socket;
    this.#socket = null;
    this.#acked = false;
    socket.close(CLOSE_CODES.NORMAL, 'Normal Closure');
    this.#onStatus('ended', {});
  }

  #closedBy(event) {
    clearTimeout(this.#ackTimer);
    this.#socket = null;
    this.#acked = false;
    if (this.#closed) return;
    if (event.code === CLOSE_CODES.FORBIDDEN) {
      this.#fail('The server refused the sign-in token.');
      this.#onAuthFailure();
      return;
    }
    if (FATAL_CLOSE_CODES.has(event.code)) {
      this.#fail(`The server closed live updates (${event.code}${event.reason ? `: ${event.reason}` : ''}).`);
      return;
    }
    if (this.#subscriptions.size === 0) return;
    const delayMs = Math.min(1000 * 2 ** this.#attempt, 15_000) + Math.floor(Math.random() * 250);
    this.#attempt += 1;
    this.#onStatus('reconnecting', { delayMs, code: event.code });
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #fail(message) {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const sinks = [...this.#subscriptions.values()].map((entry) => entry.sink);
    this.#subscriptions.clear();
    if (this.#socket && this.#socket.readyState <= 1) this.#socket.close(CLOSE_CODES.NORMAL, 'Normal Closure');
    this.#socket = null;
    this.#onStatus('failed', { message });
    for (const sink of sinks) sink.error?.([{ message, extensions: { code: 'SUBSCRIPTION_CLOSED' } }]);
  }
}

// ---------------------------------------------------------------------------------------------
// Pure helpers: routes, waves, formatting
// ---------------------------------------------------------------------------------------------

/** `#/` -> dashboard, `#/executions/<id>` -> execution, anything else -> not-found. */
export function parseRoute(hash) {
  const path = String(hash ?? '').replace(/^#/, '') || '/';
  if (path === '/') return { name: 'dashboard' };
  const match = /^\/executions\/([^/]+)\/?$/.exec(path);
  if (match) {
    try {
      return { name: 'execution', id: decodeURIComponent(match[1]) };
    } catch {
      return { name: 'not-found', path };
    }
  }
  return { name: 'not-found', path };
}

export const executionHref = (id) => `#/executions/${encodeURIComponent(id)}`;

/**
 * Waves grouped in the order they can run: each group holds the waves whose dependencies are all
 * in earlier groups (the DAG's levels), keeping the plan's order within a group. Dependencies on
 * unknown waves are ignored; waves caught in a cycle end up together in a last group.
 * @template {{ id: string, dependsOn?: string[] }} W
 * @param {W[]} waves
 * @returns {W[][]}
 */
export function waveLevels(waves) {
  const known = new Set(waves.map((wave) => wave.id));
  const placed = new Set();
  const levels = [];
  let remaining = [...waves];
  while (remaining.length > 0) {
    const ready = remaining.filter((wave) => (wave.dependsOn ?? []).every((dep) => !known.has(dep) || placed.has(dep)));
    if (ready.length === 0) {
      levels.push(remaining);
      break;
    }
    levels.push(ready);
    for (const wave of ready) placed.add(wave.id);
    remaining = remaining.filter((wave) => !ready.includes(wave));
  }
  return levels;
}

/** "Database → App → Web"; waves that run side by side are joined by " + ". */
export function waveChain(waves) {
  return waveLevels(waves)
    .map((level) => level.map((wave) => wave.name).join(' + '))
    .join(' → ');
}

/** "LAUNCH_REQUESTED" -> "Launch requested". */
export function humanize(value) {
  const text = String(value ?? '').replace(/_/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "45s", "2m 05s", "1h 02m 03s"; "—" when unknown. */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** Time from `startedAt` to `completedAt` (or to now while still running). */
export function elapsedMs(startedAt, completedAt, now = Date.now()) {
  const start = Date.parse(startedAt ?? '');
  if (Number.isNaN(start)) return undefined;
  const end = completedAt ? Date.parse(completedAt) : now;
  return Number.isNaN(end) ? undefined : Math.max(0, end - start);
}

export function formatDateTime(iso) {
  const date = new Date(iso ?? '');
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatTime(iso) {
  const date = new Date(iso ?? '');
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const TONES = {
  success: new Set(['COMPLETED', 'VERIFIED', 'PASSED', 'READY', 'CONTINUOUS']),
  error: new Set(['FAILED', 'LAUNCH_FAILED', 'VERIFICATION_FAILED', 'RECOVERY', 'STALLED', 'DISCONNECTED']),
  progress: new Set([
    'RUNNING', 'LAUNCH_REQUESTED', 'LAUNCHING', 'LAUNCHED', 'DRILL',
    // DRS dataReplicationState values on the way to CONTINUOUS
    'INITIATING', 'INITIAL_SYNC', 'BACKLOG', 'CREATING_SNAPSHOT', 'RESCAN', 'PENDING_SNAPSHOT_SHIPPING', 'SHIPPING_SNAPSHOT',
  ]),
  pending: new Set(['PENDING', 'SKIPPED', 'STOPPED', 'PAUSED']),
};

/** success | error | progress | pending | warning (anything else, e.g. a replication state that is not CONTINUOUS). */
export function badgeTone(status) {
  for (const [tone, statuses] of Object.entries(TONES)) if (statuses.has(status)) return tone;
  return 'warning';
}

const TONE_ICONS = { success: '✓', error: '✕', progress: '●', pending: '○', warning: '!' };

/** Merges events into a map keyed by streamVersion (duplicates and out-of-order arrivals are fine). */
export function mergeEvents(byVersion, events) {
  for (const event of events ?? []) {
    if (event && Number.isInteger(event.streamVersion)) byVersion.set(event.streamVersion, event);
  }
  return [...byVersion.values()].sort((a, b) => a.streamVersion - b.streamVersion);
}

/** The newer of two snapshots of one execution (by stream version; ties go to the incoming one). */
export function newerExecution(current, incoming) {
  if (!incoming) return current;
  if (!current) return incoming;
  return (incoming.version ?? 0) >= (current.version ?? 0) ? incoming : current;
}

// ---------------------------------------------------------------------------------------------
// DOM helpers (text only: data from the server never becomes HTML)
// ---------------------------------------------------------------------------------------------

/**
 * Creates an element. Props: `class`, `text`, `on<event>` handlers, booleans (true sets the
 * attribute, false/null/undefined leaves it out), anything else as an attribute.
 */
function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  appendChildren(element, children);
  return element;
}

function appendChildren(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'object' ? child : String(child));
  }
}

function badge(status, label = humanize(status)) {
  const tone = badgeTone(status);
  return h('span', { class: `badge badge-${tone}`, 'data-status': status }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, TONE_ICONS[tone]), label);
}

function timeElement(iso, format = formatDateTime) {
  return iso ? h('time', { datetime: iso, title: iso }, format(iso)) : h('span', { class: 'muted' }, '—');
}

function loadingState(text) {
  return h('p', { class: 'state state-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

function emptyState(title, text, ...extra) {
  return h('div', { class: 'state state-empty' }, h('p', { class: 'state-title' }, title), text ? h('p', {}, text) : null, ...extra);
}

function errorAlert(error, retry) {
  const forbidden = error instanceof ApiError && error.code === 'FORBIDDEN';
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert' },
    h('p', { class: 'alert-title' }, forbidden ? FORBIDDEN_MESSAGE : 'Could not load this'),
    h('p', {}, forbidden ? error.message : describeError(error)),
    retry ? h('button', { type: 'button', class: 'btn btn-normal', onclick: retry }, 'Retry') : null,
  );
}

function table(caption, headers, rows) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', {}, rows),
    ),
  );
}

function panel(title, { headingLevel = 'h2', id, actions } = {}, ...body) {
  const headingId = id ? `${id}-heading` : undefined;
  return h(
    'section',
    { class: 'panel', id, 'aria-labelledby': headingId },
    h('div', { class: 'panel-header' }, h(headingLevel, { id: headingId }, title), actions ?? null),
    h('div', { class: 'panel-body' }, ...body),
  );
}

// ---------------------------------------------------------------------------------------------
// The application: session, router, views
// ---------------------------------------------------------------------------------------------

const app = {
  /** @type {Session | null} */
  session: null,
  /** The current view's cleanup (aborts requests, closes the WebSocket, stops timers). */
  dispose: () => {},
  /** A message for the sign-in form (signed out, session expired). */
  notice: '',
};

function byId(id) {
  return document.getElementById(id);
}

/** Replaces the main content; `title` goes to the document title. */
function mount(title, ...nodes) {
  document.title = title ? `${title} · Lifeboat` : 'Lifeboat';
  const root = byId('app');
  root.replaceChildren();
  appendChildren(root, nodes);
  root.setAttribute('aria-busy', 'false');
}

/** Moves focus to the page's heading after a navigation, for keyboard and screen-reader users. */
function focusHeading() {
  const heading = document.querySelector('#app h1');
  if (heading) heading.focus({ preventScroll: false });
}

function announce(text) {
  const region = byId('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function renderUserMenu() {
  const menu = byId('user-menu');
  if (!app.session) {
    menu.hidden = true;
    return;
  }
  byId('user-name').textContent = app.session.username;
  byId('user-roles').textContent = app.session.roles.length ? app.session.roles.join(', ') : 'no roles';
  menu.hidden = false;
}

/** GraphQL with the session's token. */
function api(query, variables, signal) {
  return graphql(query, variables, { token: app.session?.idToken ?? '', signal });
}

/** Handles the errors that leave the view: an expired or refused token goes back to sign-in. */
function leavesView(error) {
  if (isAbort(error)) return true;
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
    // Several requests of one view can fail together: only the first one signs out.
    if (app.session) signOut('Your session has expired or is no longer valid. Sign in again to continue.');
    return true;
  }
  return false;
}

function signOut(notice) {
  clearSession();
  app.session = null;
  app.notice = notice;
  route();
}

function route({ focus = true } = {}) {
  app.dispose();
  app.dispose = () => {};
  const hadSession = app.session !== null;
  app.session = loadSession();
  if (hadSession && !app.session && !app.notice) app.notice = 'Your session has expired. Sign in again to continue.';
  renderUserMenu();
  if (!app.session) {
    showLogin();
    return;
  }
  const current = parseRoute(location.hash);
  if (current.name === 'dashboard') app.dispose = showDashboard();
  else if (current.name === 'execution') app.dispose = showExecution(current.id);
  else showNotFound(current.path);
  if (focus) focusHeading();
}

// --- Sign-in -----------------------------------------------------------------------------------

const isLocalHost = () => ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);

function showLogin() {
  const notice = app.notice;
  app.notice = '';
  const error = h('div', { class: 'alert alert-error', role: 'alert', id: 'login-error', hidden: true });
  const username = h('input', {
    id: 'login-username',
    name: 'username',
    type: 'text',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
  });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');

  const showError = (message, field) => {
    error.textContent = message;
    error.hidden = false;
    field?.focus();
  };

  const form = h(
    'form',
    {
      class: 'login-form',
      novalidate: true,
      'aria-describedby': 'login-error',
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        if (!username.value.trim()) return showError('Enter your username.', username);
        if (!password.value) return showError('Enter your password.', password);
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        form.setAttribute('aria-busy', 'true');
        try {
          const session = await login(username.value.trim(), password.value);
          saveSession(session);
          route();
        } catch (failure) {
          password.value = '';
          submit.disabled = false;
          submit.textContent = 'Sign in';
          form.setAttribute('aria-busy', 'false');
          showError(describeError(failure), password);
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'login-username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit,
  );

  mount(
    'Sign in',
    h(
      'div',
      { class: 'login' },
      h(
        'section',
        { class: 'panel login-panel', 'aria-labelledby': 'login-heading' },
        h('div', { class: 'panel-header' }, h('h1', { id: 'login-heading', tabindex: '-1' }, 'Sign in to Lifeboat')),
        h(
          'div',
          { class: 'panel-body' },
          notice ? h('div', { class: 'alert alert-info', role: 'status' }, notice) : null,
          form,
          isLocalHost()
            ? h('p', { class: 'hint' }, 'Local stack: sign in as ', h('code', {}, 'admin'), ' with the password that ', h('code', {}, 'npm start'), ' printed.')
            : null,
        ),
      ),
    ),
  );
  username.focus();
}

// --- Dashboard ---------------------------------------------------------------------------------

/**
 * A dashboard panel that loads itself: loading, then the content, its empty state, or an error
 * with Retry. Answers the panel and its `load` function.
 */
function loadingPanel({ id, title, load, render }) {
  const count = h('span', { class: 'count', 'aria-live': 'polite' });
  const body = h('div', { class: 'panel-content' });
  const reload = async () => {
    body.replaceChildren(loadingState(`Loading ${title.toLowerCase()}…`));
    body.setAttribute('aria-busy', 'true');
    count.textContent = '';
    try {
      const result = await load();
      const { node, total } = render(result);
      body.replaceChildren(node);
      if (typeof total === 'number') count.textContent = `(${total})`;
    } catch (error) {
      if (leavesView(error)) return;
      body.replaceChildren(errorAlert(error, reload));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  };
  const heading = h('span', {}, title, ' ', count);
  return { node: panel(heading, { id }, body), reload };
}

function showDashboard() {
  const controller = new AbortController();
  const { signal } = controller;

  const plans = loadingPanel({
    id: 'recovery-plans',
    title: 'Recovery plans',
    load: () => api(OPERATIONS.recoveryPlans, {}, signal),
    render: ({ recoveryPlans }) => ({ node: renderPlans(recoveryPlans, signal), total: recoveryPlans.items.length }),
  });
  const executions = loadingPanel({
    id: 'executions',
    title: 'Recent executions',
    load: () => api(OPERATIONS.executions, {}, signal),
    render: ({ executions: connection }) => ({ node: renderExecutions(connection), total: connection.items.length }),
  });
  const servers = loadingPanel({
    id: 'source-servers',
    title: 'Source servers',
    load: () => api(OPERATIONS.sourceServers, {}, signal),
    render: ({ sourceServers }) => ({ node: renderServers(sourceServers), total: sourceServers.items.length }),
  });
  const groups = loadingPanel({
    id: 'protection-groups',
    title: 'Protection groups',
    load: () => api(OPERATIONS.protectionGroups, {}, signal),
    render: ({ protectionGroups }) => ({ node: renderGroups(protectionGroups), total: protectionGroups.items.length }),
  });
  const panels = [plans, executions, servers, groups];
  const refreshAll = () => panels.forEach((p) => void p.reload());

  mount(
    'Dashboard',
    h(
      'div',
      { class: 'page-header' },
      h('div', {}, h('h1', { tabindex: '-1' }, 'Dashboard'), h('p', { class: 'page-description' }, 'Protected servers, recovery plans and their drills and recoveries.')),
      h('button', { type: 'button', class: 'btn btn-normal', onclick: refreshAll }, h('span', { 'aria-hidden': 'true' }, '↻ '), 'Refresh'),
    ),
    h('div', { class: 'grid' }, plans.node, executions.node),
    servers.node,
    groups.node,
  );
  refreshAll();
  return () => controller.abort();
}

function renderPlans(connection, signal) {
  const plans = connection.items;
  if (plans.length === 0) return emptyState('No recovery plans', 'Create a recovery plan with waves of protection groups to run drills.');
  const rows = plans.map((plan) => {
    const message = h('div', { class: 'inline-message', role: 'alert', hidden: true });
    const button = h('button', { type: 'button', class: 'btn btn-primary', 'aria-label': `Start drill of ${plan.name}` }, 'Start drill');
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.textContent = 'Starting…';
      message.hidden = true;
      try {
        const data = await api(OPERATIONS.startDrill, { planId: plan.id }, signal);
        location.hash = executionHref(data.startExecution.id);
      } catch (error) {
        if (leavesView(error)) return;
        button.disabled = false;
        button.textContent = 'Start drill';
        message.textContent = describeError(error);
        message.hidden = false;
      }
    });
    const chain = plan.waves.length ? waveChain(plan.waves) : 'No waves';
    return h(
      'tr',
      { 'data-plan-id': plan.id },
      h('td', {}, h('span', { class: 'strong' }, plan.name), h('div', { class: 'muted small' }, plan.id)),
      h('td', {}, `v${plan.version}`),
      h('td', {}, h('span', { class: 'wave-chain' }, chain)),
      h('td', { class: 'actions' }, button, message),
    );
  });
  return h(
    'div',
    {},
    table('Recovery plans', ['Plan', 'Version', 'Waves', 'Actions'], rows),
    connection.nextCursor ? h('p', { class: 'muted small table-note' }, `Showing the first ${plans.length} plans by name.`) : null,
  );
}

/** The executions query answers the newest first, a page of 20. */
function renderExecutions(connection) {
  const recent = connection.items;
  if (recent.length === 0) return emptyState('No executions yet', 'Start a drill of a recovery plan: it launches recovery instances in the drill network without touching production.');
  const rows = recent.map((execution) =>
    h(
      'tr',
      { 'data-execution-id': execution.id },
      h('td', {}, h('a', { href: executionHref(execution.id) }, execution.planName)),
      h('td', {}, badge(execution.mode)),
      h('td', {}, badge(execution.status)),
      h('td', {}, timeElement(execution.startedAt)),
      h('td', {}, execution.completedAt ? formatDuration(elapsedMs(execution.startedAt, execution.completedAt)) : h('span', { class: 'muted' }, 'running')),
    ),
  );
  return h(
    'div',
    {},
    table('Recent executions', ['Plan', 'Mode', 'Status', 'Started', 'Duration'], rows),
    connection.nextCursor ? h('p', { class: 'muted small table-note' }, `Showing the ${recent.length} most recent.`) : null,
  );
}

function renderServers(connection) {
  const servers = connection.items;
  if (servers.length === 0) return emptyState('No source servers', 'Install the AWS Replication Agent on a server (or start the local DRS simulator) and it appears here after the next sync.');
  const rows = servers.map((server) =>
    h(
      'tr',
      { 'data-source-server-id': server.id },
      h('td', {}, h('span', { class: 'strong' }, server.hostname), h('div', { class: 'muted small mono' }, server.id)),
      h('td', {}, humanize(server.os)),
      h('td', { class: 'mono' }, server.accountId, h('div', { class: 'muted small' }, server.region)),
      h('td', {}, badge(server.replicationState)),
      h('td', {}, server.readyForRecovery ? badge('READY', 'Ready') : badge('NOT_READY', 'Not ready')),
      h('td', {}, server.tags.length ? h('ul', { class: 'tags' }, server.tags.map((tag) => h('li', { class: 'tag' }, `${tag.key}=${tag.value}`))) : h('span', { class: 'muted' }, '—')),
    ),
  );
  return h(
    'div',
    {},
    table('Source servers', ['Hostname', 'OS', 'Account / Region', 'Replication', 'Readiness', 'Tags'], rows),
    connection.nextCursor ? h('p', { class: 'muted small table-note' }, `Showing the first ${servers.length} servers.`) : null,
  );
}

function renderGroups(connection) {
  const groups = connection.items;
  if (groups.length === 0) return emptyState('No protection groups', 'Group the servers of one account and region that recover together.');
  const rows = groups.map((group) =>
    h(
      'tr',
      { 'data-protection-group-id': group.id },
      h('td', {}, h('span', { class: 'strong' }, group.name), h('div', { class: 'muted small' }, group.id)),
      h('td', { class: 'mono' }, group.accountId),
      h('td', {}, group.region),
      h('td', {}, String(group.sourceServerIds.length), group.sourceServerIds.length ? h('div', { class: 'muted small mono' }, group.sourceServerIds.join(', ')) : null),
    ),
  );
  return h(
    'div',
    {},
    table('Protection groups', ['Name', 'Account', 'Region', 'Servers'], rows),
    connection.nextCursor ? h('p', { class: 'muted small table-note' }, `Showing the first ${groups.length} groups by name.`) : null,
  );
}

// --- Execution (runbook) -----------------------------------------------------------------------

const LIVE_LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Updates ended',
  closed: 'Not live',
  failed: 'Live updates unavailable',
};

function showExecution(id) {
  const controller = new AbortController();
  const { signal } = controller;
  /** @type {any} */
  let execution = null;
  const eventsByVersion = new Map();
  let client = null;
  let ticker = null;
  let elapsedNode = null;

  const liveStatus = h('span', { class: 'live live-connecting', role: 'status' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('span', { class: 'live-text' }, 'Loading…'));
  const streamAlert = h('div', { class: 'stream-alert' });
  const heading = h('h1', { tabindex: '-1' }, 'Execution');
  const content = h('div', { class: 'execution-content' }, loadingState('Loading execution…'));

  const setLive = (state, detail = {}) => {
    liveStatus.className = `live live-${state}`;
    let text = LIVE_LABELS[state] ?? state;
    if (state === 'reconnecting' && detail.delayMs) text = `Reconnecting in ${Math.ceil(detail.delayMs / 1000)} s…`;
    if (state === 'failed' && detail.message) text = `${LIVE_LABELS.failed}: ${detail.message}`;
    liveStatus.querySelector('.live-text').textContent = text;
  };

  const showStreamErrors = (errors) => {
    const error = errorFromGraphQL(errors);
    if (error.code === 'SUBSCRIPTION_CLOSED') return; // already shown by the live status
    if (leavesView(error)) return;
    streamAlert.replaceChildren(errorAlert(error));
  };

  const render = () => {
    const previous = content.dataset.status;
    content.replaceChildren(renderExecutionBody(execution, mergeEvents(eventsByVersion, []), (node) => (elapsedNode = node)));
    content.dataset.status = execution.status;
    heading.textContent = `${execution.planName} ${execution.mode === 'DRILL' ? 'drill' : 'recovery'}`;
    document.title = `${heading.textContent} · Lifeboat`;
    if (previous && previous !== execution.status) announce(`Execution ${humanize(execution.status).toLowerCase()}.`);
  };

  const tick = () => {
    if (elapsedNode && execution) elapsedNode.textContent = formatDuration(elapsedMs(execution.startedAt, execution.completedAt));
  };

  const load = async () => {
    try {
      const data = await api(OPERATIONS.execution, { id }, signal);
      if (!data.execution) {
        client?.close();
        liveStatus.hidden = true;
        content.replaceChildren(
          emptyState('Execution not found', `There is no execution with id ${id}.`, h('p', {}, h('a', { href: '#/' }, 'Back to the dashboard'))),
        );
        heading.textContent = 'Execution not found';
        return false;
      }
      execution = newerExecution(execution, data.execution);
      mergeEvents(eventsByVersion, data.executionEvents);
      streamAlert.replaceChildren();
      render();
      return true;
    } catch (error) {
      if (leavesView(error)) return false;
      if (!execution) content.replaceChildren(errorAlert(error, () => void start()));
      else streamAlert.replaceChildren(errorAlert(error));
      return false;
    }
  };

  const subscribe = () => {
    client = new SubscriptionClient({
      url: subscriptionUrl(),
      getToken: () => app.session?.idToken ?? '',
      onStatus: setLive,
      // The subscriptions carry every change from now on; a fetch after each (re)connect fills
      // whatever happened before they were registered.
      onConnected: () => void load(),
      onAuthFailure: () => signOut('Your session has expired or is no longer valid. Sign in again to continue.'),
    });
    client.subscribe(
      { query: OPERATIONS.executionUpdated, variables: { id }, operationName: 'ExecutionUpdated' },
      {
        next: (result) => {
          if (result.errors?.length) showStreamErrors(result.errors);
          if (result.data?.executionUpdated) {
            execution = newerExecution(execution, result.data.executionUpdated);
            render();
          }
        },
        error: showStreamErrors,
      },
    );
    client.subscribe(
      { query: OPERATIONS.executionEvents, variables: { id }, operationName: 'ExecutionEvents' },
      {
        next: (result) => {
          if (result.errors?.length) showStreamErrors(result.errors);
          if (result.data?.executionEvents) {
            mergeEvents(eventsByVersion, [result.data.executionEvents]);
            if (execution) render();
          }
        },
        error: showStreamErrors,
      },
    );
  };

  const start = async () => {
    content.replaceChildren(loadingState('Loading execution…'));
    if (await load()) {
      if (!client) subscribe();
      if (!ticker) ticker = setInterval(tick, 1000);
    }
  };

  mount(
    'Execution',
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('a', { href: '#/' }, 'Dashboard'), h('span', { 'aria-hidden': 'true' }, ' › '), h('span', { 'aria-current': 'page' }, 'Execution')),
    h('div', { class: 'page-header' }, h('div', {}, heading, h('p', { class: 'page-description mono' }, id)), liveStatus),
    streamAlert,
    content,
  );
  void start();

  return () => {
    controller.abort();
    client?.close();
    clearInterval(ticker);
  };
}

function renderExecutionBody(execution, events, onElapsedNode) {
  const elapsed = h('span', { class: 'elapsed' }, formatDuration(elapsedMs(execution.startedAt, execution.completedAt)));
  onElapsedNode(elapsed);
  const details = h(
    'dl',
    { class: 'details' },
    detail('Status', badge(execution.status)),
    detail('Mode', badge(execution.mode)),
    detail('Plan', `${execution.planName} (v${execution.planVersion})`),
    detail('Started', timeElement(execution.startedAt)),
    detail('Completed', timeElement(execution.completedAt)),
    detail('Elapsed', elapsed),
    detail('Started by', execution.startedBy),
  );

  const waveIndex = new Map(execution.waves.map((wave) => [wave.id, wave]));
  const ordered = waveLevels(execution.waves).flat();
  const waves = ordered.length
    ? h('ol', { class: 'waves' }, ordered.map((wave, index) => h('li', {}, renderWave(wave, index, waveIndex))))
    : emptyState('No waves', 'This plan version has no waves.');

  const timeline = events.length
    ? h(
        'ol',
        { class: 'timeline' },
        events.map((event) =>
          h(
            'li',
            { 'data-stream-version': event.streamVersion },
            h('span', { class: 'timeline-version' }, `#${event.streamVersion}`),
            timeElement(event.occurredAt, formatTime),
            h('span', { class: 'timeline-type' }, event.type),
          ),
        ),
      )
    : emptyState('No events yet', 'Events appear here as the execution progresses.');

  return h(
    'div',
    { class: 'execution-layout' },
    h('div', { class: 'execution-main' }, panel('Details', { id: 'execution-details' }, details), panel('Waves', { id: 'execution-waves' }, waves)),
    panel(h('span', {}, 'Timeline ', h('span', { class: 'count' }, `(${events.length})`)), { id: 'execution-timeline' }, timeline),
  );
}

function detail(term, value) {
  return h('div', { class: 'detail' }, h('dt', {}, term), h('dd', {}, value));
}

function renderWave(wave, index, waveIndex) {
  const after = wave.dependsOn.map((dep) => waveIndex.get(dep)?.name ?? dep);
  const servers = wave.servers.length
    ? table(
        `Servers of wave ${wave.name}`,
        ['Server', 'Status', 'DRS job', 'Recovery instance', 'Checks'],
        wave.servers.map((server) =>
          h(
            'tr',
            { 'data-source-server-id': server.sourceServerId },
            h(
              'td',
              {},
              h('span', { class: 'strong' }, server.hostname),
              server.criticality === 'OPTIONAL' ? h('span', { class: 'tag tag-optional' }, 'optional') : null,
              h('div', { class: 'muted small mono' }, server.sourceServerId),
            ),
            h('td', {}, badge(server.status)),
            h('td', { class: 'mono' }, server.jobId ?? h('span', { class: 'muted' }, '—')),
            h('td', { class: 'mono' }, server.recoveryInstanceId ?? h('span', { class: 'muted' }, '—')),
            h(
              'td',
              {},
              server.checks.length
                ? h('ul', { class: 'checks' }, server.checks.map((check) => h('li', {}, badge(check.status, check.name), h('span', { class: 'muted small' }, ` ${check.durationMs} ms`))))
                : h('span', { class: 'muted' }, '—'),
            ),
          ),
        ),
      )
    : h('p', { class: 'muted' }, 'No servers in this wave.');
  return h(
    'article',
    { class: 'wave', 'data-wave-id': wave.id, 'aria-labelledby': `wave-${index}` },
    h(
      'div',
      { class: 'wave-header' },
      h('h3', { id: `wave-${index}` }, `${index + 1}. ${wave.name}`),
      badge(wave.status),
      h(
        'span',
        { class: 'muted small' },
        after.length ? `after ${after.join(', ')}` : 'first',
        ` · ${humanize(wave.launchOrder)}`,
        wave.startedAt ? ` · ${formatDuration(elapsedMs(wave.startedAt, wave.completedAt))}` : '',
      ),
    ),
    servers,
  );
}

// --- Not found ---------------------------------------------------------------------------------

function showNotFound(path) {
  mount(
    'Not found',
    h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, 'Page not found')),
    emptyState('Nothing here', `There is no page at ${path}.`, h('p', {}, h('a', { href: '#/' }, 'Go to the dashboard'))),
  );
}

// --- Boot --------------------------------------------------------------------------------------

function boot() {
  const announcer = h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' });
  document.body.append(announcer);
  byId('sign-out').addEventListener('click', () => {
    clearSession();
    app.session = null;
    app.notice = 'You have signed out.';
    if (parseRoute(location.hash).name === 'dashboard') route();
    else location.hash = '#/';
  });
  // The skip link targets <main> without touching the hash (the hash is the router's).
  byId('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    byId('main').focus();
  });
  window.addEventListener('hashchange', () => route());
  route({ focus: false });
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
  else boot();
}
