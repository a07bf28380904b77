/**
 * TEST AND DEV ONLY. Discord's gateway on loopback: a `ws` server speaking the documented opcodes, so the real
 * @discordjs/ws client (the relay, gateway/relay.ts) connects, identifies, heartbeats, resumes and receives
 * dispatches as it would from Discord.
 *
 * - HELLO (op 10) with `heartbeat_interval` on connect; HEARTBEAT (op 1) is answered with HEARTBEAT_ACK (op 11).
 * - IDENTIFY (op 2): the token and intents are checked (4004 for a wrong token, 4013 for unknown bits, 4014
 *   for a privileged intent not enabled "in the portal"), then READY with `session_id` and
 *   `resume_gateway_url`, then a GUILD_CREATE per guild given, as Discord sends them after READY.
 * - DISPATCH (op 0) with a per-session `s` that only increases; a session whose socket is gone keeps its
 *   dispatches for a resume.
 * - RECONNECT (op 7), INVALID SESSION (op 9, `d: false`: the client must identify again), RESUME (op 6: the
 *   dispatches after the client's `seq` are replayed, then RESUMED).
 * - Limits: 120 sends per 60 s per connection (over it the connection is closed with 4008), and
 *   `max_concurrency` identifies per 5 s (bucket `shard_id % max_concurrency`); every breach is kept in
 *   `violations`. Both on the clock given, shared with the code under test.
 */
import type { AddressInfo } from 'node:net';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
} from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type FakeClock,
  type FakeLimit,
  realClock,
  SlidingWindowLimits,
  type Violation,
} from '../../shared/platform/fake-limits.js';
import { SANDBOX_APPLICATION_ID } from './sandbox-cast.js';

/** Discord: a client may send 120 gateway events per 60 seconds per connection. */
export const GATEWAY_SEND_LIMIT: FakeLimit = {
  name: 'gateway: 120 sends per 60 s',
  limit: 120,
  windowMs: 60_000,
};

/** Discord: each `shard_id % max_concurrency` bucket may identify once per 5 seconds. */
export const IDENTIFY_LIMIT: FakeLimit = { name: 'identify: 1 per 5 s per bucket', limit: 1, windowMs: 5000 };

/** The intents Discord calls privileged: each must be enabled for the bot in the Developer Portal. */
const PRIVILEGED =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** Every intent bit Discord defines (a bit outside it is "invalid intents", 4013). */
const KNOWN_INTENTS = Object.values(GatewayIntentBits)
  .filter((bit): bit is number => typeof bit === 'number')
  .reduce((all, bit) => all | bit, 0);

export interface FakeGatewayOptions {
  /** The bot token IDENTIFY and RESUME must carry. */
  readonly token: string;
  /** The clock of the limits (default: real time), shared with the relay's own waits. */
  readonly clock?: FakeClock;
  /** HELLO's heartbeat interval; keep it at 500 ms or more, or the heartbeats alone pass 120 per 60 s. */
  readonly heartbeatIntervalMs?: number;
  /** GET /gateway/bot's `session_start_limit.max_concurrency` (default 1). */
  readonly maxConcurrency?: number;
  /** The privileged intents enabled for the bot (default: Server Members only, as the README says to). */
  readonly privilegedIntents?: number;
  /** The `d` of a GUILD_CREATE to send after every READY, one per guild the bot is in. */
  readonly guilds?: readonly unknown[];
  /**
   * A RESUME also replays this many dispatches the client already had (default 0: only those after its
   * `seq`, as Discord documents): what a relay sees when it received events but stopped before recording them.
   */
  readonly replayOverlap?: number;
}

/** An IDENTIFY the fake accepted. */
export interface Identify {
  readonly sessionId: string;
  readonly intents: number;
  readonly shard: readonly [number, number];
  readonly at: number;
}

/** A session as the fake keeps it. */
export interface FakeSession {
  readonly id: string;
  /** The last `s` sent (or kept for a resume). */
  readonly sequence: number;
  /** Whether a client is connected to it now, past READY or RESUMED. */
  readonly connected: boolean;
  /** How often a client resumed it. */
  readonly resumes: number;
}

export interface FakeGateway {
  /** `ws://127.0.0.1:<port>`, what GET /gateway/bot answers as `url`. */
  readonly url: string;
  /** The GET /gateway/bot answer (sandbox-gateway-bot.ts serves it). */
  gatewayBot(): GatewayBotInfo;
  /** Sends a dispatch to every live session (a disconnected one keeps it for its resume), or to one. */
  dispatch(t: string, d: unknown, sessionId?: string): void;
  /** Sends RECONNECT (op 7) on every open connection: the client should resume. */
  forceReconnect(): void;
  /** Sends INVALID SESSION (op 9, `d: false`) and forgets the sessions: the client must identify again. */
  invalidateSession(): void;
  /** Drops every connection without a close frame, as a network failure would. */
  dropConnection(): void;
  readonly sessions: readonly FakeSession[];
  readonly identifies: readonly Identify[];
  readonly violations: readonly Violation[];
  close(): Promise<void>;
}

/** GET /gateway/bot, as Discord documents it. */
export interface GatewayBotInfo {
  readonly url: string;
  readonly shards: number;
  readonly session_start_limit: {
    readonly total: number;
    readonly remaining: number;
    readonly reset_after: number;
    readonly max_concurrency: number;
  };
}

/** Discord's daily identify allowance for a bot in fewer than 150,000 servers. */
const DAILY_IDENTIFIES = 1000;

interface Session {
  readonly id: string;
  sequence: number;
  resumes: number;
  /** Every dispatch sent in the session, by `s`, for resumes. */
  readonly log: { s: number; t: string; d: unknown }[];
  socket: WebSocket | undefined;
}

/** Why the fake closes a connection: Discord's close code and reason. */
type Refusal = readonly [code: number, reason: string] | undefined;

interface Connection {
  readonly id: number;
  session: Session | undefined;
}

export async function startFakeGateway(options: FakeGatewayOptions): Promise<FakeGateway> {
  const clock = options.clock ?? realClock;
  const maxConcurrency = options.maxConcurrency ?? 1;
  const limits = new SlidingWindowLimits();
  const sessions = new Map<string, Session>();
  const identifies: Identify[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let connections = 0;
  let sessionCount = 0;

  const send = (socket: WebSocket, payload: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  };

  function deliver(session: Session, t: string, d: unknown): void {
    session.sequence += 1;
    const entry = { s: session.sequence, t, d };
    session.log.push(entry);
    if (session.socket) send(session.socket, { op: GatewayOpcodes.Dispatch, ...entry });
  }

  function identify(socket: WebSocket, connection: Connection, data: Record<string, unknown>): Refusal {
    if (connection.session) return [GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.'];
    if (data.token !== options.token)
      return [GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.'];
    const intents = data.intents;
    if (typeof intents !== 'number' || (intents & ~KNOWN_INTENTS) !== 0) {
      return [GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).'];
    }
    const enabled = options.privilegedIntents ?? GatewayIntentBits.GuildMembers;
    if ((intents & PRIVILEGED & ~enabled) !== 0)
      return [GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).'];
    const [shard = 0, count = 1] = Array.isArray(data.shard) ? (data.shard as number[]) : [];
    limits.admit(IDENTIFY_LIMIT, `bucket ${shard % maxConcurrency}`, clock());
    sessionCount += 1;
    const session: Session = { id: `fake-session-${sessionCount}`, sequence: 0, resumes: 0, log: [], socket };
    sessions.set(session.id, session);
    connection.session = session;
    identifies.push({ sessionId: session.id, intents, shard: [shard, count], at: clock() });
    deliver(session, GatewayDispatchEvents.Ready, readyData(session.id, `${url}/resume`, [shard, count]));
    for (const guild of options.guilds ?? []) deliver(session, GatewayDispatchEvents.GuildCreate, guild);
    return undefined;
  }

  function resume(socket: WebSocket, connection: Connection, data: Record<string, unknown>): void {
    const session = sessions.get(String(data.session_id));
    if (data.token !== options.token || !session) {
      send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    session.socket?.terminate();
    session.socket = socket;
    session.resumes += 1;
    connection.session = session;
    const after = Number(data.seq ?? 0) - (options.replayOverlap ?? 0);
    for (const entry of session.log.filter(({ s }) => s > after)) {
      send(socket, { op: GatewayOpcodes.Dispatch, ...entry });
    }
    deliver(session, GatewayDispatchEvents.Resumed, null);
  }

  /** Acts on one message from a client; a refusal closes the connection with Discord's code. */
  function receive(socket: WebSocket, connection: Connection, text: string): Refusal {
    if (!limits.admit(GATEWAY_SEND_LIMIT, `connection ${connection.id}`, clock())) {
      return [GatewayCloseCodes.RateLimited, 'You are being rate limited.'];
    }
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      return [GatewayCloseCodes.DecodeError, 'Error while decoding payload.'];
    }
    const data = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        send(socket, { op: GatewayOpcodes.HeartbeatAck });
        return undefined;
      case GatewayOpcodes.Identify:
        return identify(socket, connection, data);
      case GatewayOpcodes.Resume:
        resume(socket, connection, data);
        return undefined;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        // Accepted once identified; nothing to do here.
        return connection.session ? undefined : [GatewayCloseCodes.NotAuthenticated, 'Not authenticated.'];
      default:
        return [GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.'];
    }
  }

  server.on('connection', (socket, request) => {
    connections += 1;
    const connection: Connection = { id: connections, session: undefined };
    const query = new URL(request.url ?? '/', 'http://fake').searchParams;
    if (query.get('v') !== '10' || query.get('encoding') !== 'json') {
      socket.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version.');
      return;
    }
    socket.on('message', (raw) => {
      const refusal = receive(socket, connection, String(raw));
      if (refusal) socket.close(...refusal);
    });
    socket.on('close', (code) => {
      const { session } = connection;
      if (session?.socket === socket) session.socket = undefined;
      // A client closing with 1000 or 1001 ends its session; any other code keeps it for a resume.
      if (session && (code === 1000 || code === 1001)) sessions.delete(session.id);
    });
    send(socket, {
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 },
    });
  });

  return {
    url,
    gatewayBot: () => ({
      url,
      shards: 1,
      session_start_limit: {
        total: DAILY_IDENTIFIES,
        remaining: Math.max(0, DAILY_IDENTIFIES - identifies.length),
        reset_after: 86_400_000,
        max_concurrency: maxConcurrency,
      },
    }),
    dispatch(t, d, sessionId) {
      for (const session of sessions.values()) {
        if (sessionId === undefined || session.id === sessionId) deliver(session, t, d);
      }
    },
    forceReconnect() {
      for (const session of sessions.values()) {
        if (session.socket) send(session.socket, { op: GatewayOpcodes.Reconnect, d: null });
      }
    },
    invalidateSession() {
      for (const session of sessions.values()) {
        if (session.socket) send(session.socket, { op: GatewayOpcodes.InvalidSession, d: false });
      }
      sessions.clear();
    },
    dropConnection() {
      for (const socket of server.clients) socket.terminate();
    },
    get sessions() {
      return [...sessions.values()].map((session) => ({
        id: session.id,
        sequence: session.sequence,
        connected: session.socket?.readyState === 1,
        resumes: session.resumes,
      }));
    },
    identifies,
    get violations() {
      return [...limits.violations];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

/** READY's data, as far as a client reads it. */
function readyData(sessionId: string, resumeUrl: string, shard: readonly [number, number]) {
  return {
    v: 10,
    user: {
      id: SANDBOX_APPLICATION_ID,
      username: 'Community bot',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
    },
    guilds: [],
    session_id: sessionId,
    resume_gateway_url: resumeUrl,
    shard,
    application: { id: SANDBOX_APPLICATION_ID, flags: 0 },
  };
}
