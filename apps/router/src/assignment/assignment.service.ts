import { Injectable, Logger } from '@nestjs/common';
import type { AgentPresence } from '@ponte/contracts';
import {
  type AgentCapacity,
  AgentRoster,
  type AgentState,
  type CapacityUnit,
  CHANNEL_KINDS,
  type ChannelKind,
  freeFor,
  limitOf,
  poolOf,
  QueueDirectory,
  type QueueSeed,
} from '../queues';
import { mapConcurrently } from '../shared/map-concurrently';
import { rankAgentsForAssignment } from './agent-choice';
import { AssignmentClaims, CLAIM_LEASE_MS } from './assignment-claims';
import type { Assignment, AssignableConversation } from './assignment.model';
import { WaitingLine } from './waiting-line';

/** Conversations read from the head of the lines at a time. */
const LINE_BATCH = 25;
/** Conversations assignCreated assigns at once. */
const ASSIGNING_AT_ONCE = 4;
/** Rounds of "look for agents, claim, reserve" for one conversation when every candidate fills up meanwhile. */
const CLAIM_ROUNDS = 5;
/** Planning rounds of reserveForNew: a conversation whose slots were all taken by others meanwhile then waits. */
const RESERVE_ROUNDS = 3;
/** What a read knows of a slot another attempt took after it: not which conversation. */
const TAKEN_BY_ANOTHER = '(taken by another attempt)';

/** A unit planned from a read of the agents for a conversation, not written yet. */
interface UnitPlan {
  conversation: AssignableConversation;
  state: AgentState;
  unit: CapacityUnit;
  when: Date;
}

type ClaimOutcome =
  | { status: 'assigned'; assignment: Assignment }
  /** No online agent of the queue has room for its kind: it waits. */
  | { status: 'no-room' }
  /** Assigned, resolved or moved meanwhile, or another attempt is assigning it. */
  | { status: 'not-waiting' };

/**
 * Assigns conversations to agents: the online agent of the queue with the most free capacity, ties to the one idle
 * longest; otherwise the conversation waits, and every event that frees capacity (release, presence, capacity,
 * seed) drains the queues concerned, highest priority then longest waiting first. Conversations wait from the moment
 * they are created, so a drain always finds them: no periodic sweep is needed.
 *
 * Capacity is never exceeded, with any number of router instances, on MongoDB and on FerretDB 1.24 alike (which
 * applies no update atomically): every decision that must not be taken twice is an insert under a unique index.
 * 1. An attempt claims the conversation (AssignmentClaims), so two attempts never take capacity for one conversation.
 * 2. It reserves a unit of an agent's capacity (AgentRoster.reserve: a free slot below the limit).
 * 3. It assigns the conversation, or gives the unit back when a command moved or resolved it meanwhile.
 * A conversation the inbound pipeline is about to create skips the claim and the second write: its unit is reserved
 * first and it is inserted already assigned (reserveForNew, settleNew).
 * A release deletes the agent's unit for the conversation: a replay finds none and gives nothing back twice,
 * whatever the conversation document says by then (the conversation store may have unassigned it first). Units left
 * behind (a crash between two steps, an assignment a concurrent FerretDB write undid) go back when the conversation
 * is next claimed, or when the agent next releases or comes online (reconcile).
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);

  constructor(
    private readonly line: WaitingLine,
    private readonly claims: AssignmentClaims,
    private readonly roster: AgentRoster,
    private readonly directory: QueueDirectory,
  ) {}

  /** Assigns a waiting conversation now if an agent of its queue has room; null when it waits (or is not waiting). */
  async assign(tenantId: string, conversationId: string, at: Date): Promise<Assignment | null> {
    const conversation = await this.line.get(tenantId, conversationId);
    if (!conversation || !isWaiting(conversation)) return null;
    const refunded = new Set<string>();
    const outcome = await this.claim(conversation, at, refunded);
    if (refunded.size > 0) {
      // Rare: a command moved or resolved the conversation while it was being assigned, or something had left
      // capacity held for it (see releaseLeftovers). That capacity must reach whoever waits for it, but this
      // method reports one conversation only.
      const others = await this.drainQueues(tenantId, await this.queuesOfAgents(tenantId, refunded), at);
      for (const other of others) {
        this.logger.warn(
          `conversation ${other.conversationId} assigned to ${other.agentId} while assigning ${conversationId}; ` +
            'assign() does not report it',
        );
      }
    }
    return outcome.status === 'assigned' ? outcome.assignment : null;
  }

  /**
   * Assigns conversations the caller has just created, as assign() would one by one, for a fraction of the reads:
   * nothing can be held for them yet and no command can have reached them (their `created` event is not out), so the
   * online agents of their queues are read once and kept up to date as units are taken, and each conversation costs
   * its claim, its unit and its update. A stale read is safe: the unique slot index refuses a unit taken meanwhile,
   * and the agents are read again. Answers per conversation id; null when it waits.
   */
  async assignCreated(
    conversations: readonly AssignableConversation[],
    at: Date,
  ): Promise<Map<string, Assignment | null>> {
    const answers = new Map<string, Assignment | null>();
    const byTenant = new Map<string, AssignableConversation[]>();
    for (const conversation of conversations) {
      byTenant.set(conversation.tenantId, [...(byTenant.get(conversation.tenantId) ?? []), conversation]);
    }
    for (const [tenantId, created] of byTenant) {
      const queueIds = [...new Set(created.map((conversation) => conversation.queueId))];
      const agents: SharedRead = {
        states: await this.roster.onlineIn(tenantId, queueIds),
        reserving: new Map(),
      };
      const ordered = [...created].sort(lineOrder);
      const planned = await this.assignInBulk(tenantId, ordered, agents, at);
      for (const [conversationId, assignment] of planned) answers.set(conversationId, assignment);
      // What the bulk pass could not settle (a slot taken meanwhile, a pool over a lowered limit) goes one by one,
      // side by side in line order from a fresh read: two attempts taking the same slot are told apart by the unique
      // slot index (the loser takes another).
      const rest = ordered.filter((conversation) => !planned.has(conversation._id));
      if (rest.length > 0) agents.states = await this.roster.onlineIn(tenantId, queueIds);
      const slow = await mapConcurrently(rest, ASSIGNING_AT_ONCE, async (conversation) => {
        const when = conversation.waitingSince ?? at;
        const assignment = await this.assignFromRead(conversation, agents, queueIds, when);
        answers.set(conversation._id, assignment);
        return assignment;
      });
      const assignments = [...planned.values(), ...slow].filter((assignment) => assignment !== null);
      await this.roster.recordAssignments(tenantId, assignments);
    }
    return answers;
  }

  /**
   * Agents for conversations about to be inserted (a batch's new contacts), so that each is inserted already assigned:
   * no claim (no other attempt can reach a conversation that is not stored) and no second write of the conversation.
   * The online agents of their queues are read once and a unit is planned per conversation in line order, then all
   * are inserted under the unique slot index; a conversation whose slot was taken meanwhile is planned again, and one
   * left without is inserted waiting and goes through assignCreated. The caller inserts the conversations with these assignments, then calls
   * settleNew. A crash in between leaves units naming conversations that do not exist: reconcile releases them once
   * their lease is over.
   */
  async reserveForNew(
    conversations: readonly AssignableConversation[],
    at: Date,
  ): Promise<Map<string, NewAssignment>> {
    const reserved = new Map<string, NewAssignment>();
    const byTenant = new Map<string, AssignableConversation[]>();
    for (const conversation of conversations) {
      byTenant.set(conversation.tenantId, [...(byTenant.get(conversation.tenantId) ?? []), conversation]);
    }
    for (const [tenantId, created] of byTenant) {
      const queueIds = [...new Set(created.map((conversation) => conversation.queueId))];
      const states = await this.roster.onlineIn(tenantId, queueIds);
      let pending = [...created].sort(lineOrder);
      // Another instance or partition reserving from its own read of the same agents may take a planned slot first
      // (the unique slot index refuses the second): the read then counts that slot as someone else's, and the
      // conversation is planned again, a few rounds at most.
      for (let round = 0; round < RESERVE_ROUNDS && pending.length > 0; round++) {
        const plans: UnitPlan[] = [];
        for (const conversation of pending) {
          const when = conversation.waitingSince ?? at;
          const planned = this.planFromRead(conversation, states, when);
          if (planned) plans.push({ conversation, ...planned, when });
        }
        const refused = await this.roster.insertUnits(plans.map(({ unit }) => unit));
        pending = [];
        for (const [index, { conversation, state, unit, when }] of plans.entries()) {
          if (refused.has(index)) {
            state.held.splice(state.held.indexOf(unit), 1, { ...unit, conversationId: TAKEN_BY_ANOTHER });
            pending.push(conversation);
            continue;
          }
          const assignment = {
            conversationId: conversation._id,
            agentId: unit.agentId,
            queueId: conversation.queueId,
            assignedAt: when,
          };
          reserved.set(conversation._id, { unit, assignment });
        }
      }
    }
    return reserved;
  }

  /**
   * After the conversations of reserveForNew were inserted: records the assignments of those created, and gives back
   * the units of those that were not (a replay, or another message opened the customer's conversation first), whose
   * agents' queues are then drained. Returns the assignments that drain made, for their events.
   */
  async settleNew(
    reserved: ReadonlyMap<string, NewAssignment>,
    created: ReadonlySet<string>,
    at: Date,
  ): Promise<{ tenantId: string; assignment: Assignment }[]> {
    const kept = new Map<string, Assignment[]>();
    const freed = new Map<string, Set<string>>();
    for (const [conversationId, { unit, assignment }] of reserved) {
      if (created.has(conversationId)) {
        kept.set(unit.tenantId, [...(kept.get(unit.tenantId) ?? []), assignment]);
      } else if (await this.roster.releaseUnit(unit)) {
        freed.set(unit.tenantId, (freed.get(unit.tenantId) ?? new Set()).add(unit.agentId));
      }
    }
    for (const [tenantId, assignments] of kept) await this.roster.recordAssignments(tenantId, assignments);
    const drained: { tenantId: string; assignment: Assignment }[] = [];
    for (const [tenantId, agentIds] of freed) {
      const assignments = await this.drainQueues(tenantId, await this.queuesOfAgents(tenantId, agentIds), at);
      drained.push(...assignments.map((assignment) => ({ tenantId, assignment })));
    }
    return drained;
  }

  /**
   * Conversations just created, assigned together in a handful of round trips whatever their number: claims, the
   * agents' free slots planned from the shared read in line order, units inserted (the unique slot index refuses a
   * slot taken meanwhile), guarded assignments, claims released. Answers only what it settled: null when nobody
   * online can take it, or another attempt holds it; a conversation left out goes through assignFromRead.
   */
  private async assignInBulk(
    tenantId: string,
    ordered: readonly AssignableConversation[],
    agents: SharedRead,
    at: Date,
  ): Promise<Map<string, Assignment | null>> {
    const answers = new Map<string, Assignment | null>();
    const claims = await this.claims.acquireMany(
      tenantId,
      ordered.map((conversation) => conversation._id),
    );
    const plans: UnitPlan[] = [];
    for (const conversation of ordered) {
      // A drain found it waiting first and assigns it.
      if (!claims.has(conversation._id)) {
        answers.set(conversation._id, null);
        continue;
      }
      const when = conversation.waitingSince ?? at;
      const planned = this.planFromRead(conversation, agents.states, when);
      if (planned) plans.push({ conversation, ...planned, when });
      else if (!rankCandidates(conversation, inQueue(agents.states, conversation)).length)
        answers.set(conversation._id, null);
    }
    const refused = await this.roster.insertUnits(plans.map(({ unit }) => unit));
    const reserved = plans.filter((plan, index) => {
      if (!refused.has(index)) return true;
      plan.state.held.splice(plan.state.held.indexOf(plan.unit), 1);
      return false;
    });
    const assigned = await this.line.assignMany(
      reserved.map(({ conversation, unit, when }) => ({ conversation, agentId: unit.agentId, at: when })),
    );
    const freedQueues = new Set<string>();
    for (const { conversation, state, unit, when } of reserved) {
      if (assigned.has(conversation._id)) {
        answers.set(conversation._id, {
          conversationId: conversation._id,
          agentId: unit.agentId,
          queueId: conversation.queueId,
          assignedAt: when,
        });
        continue;
      }
      // Not waiting any more after all: the unit goes back to whoever waits for it.
      state.held.splice(state.held.indexOf(unit), 1);
      await this.roster.release(tenantId, unit.agentId, conversation._id);
      for (const queueId of state.agent.queueIds) freedQueues.add(queueId);
      answers.set(conversation._id, null);
    }
    await this.claims.releaseMany([...claims.values()]);
    if (freedQueues.size > 0) await this.drainQueues(tenantId, freedQueues, at);
    return answers;
  }

  /**
   * The unit of the best agent of this read with a free slot for the conversation, taken in the read (held, last
   * assigned) so the next plan sees it; nothing is written. Undefined when no agent of the read has room.
   */
  private planFromRead(
    conversation: AssignableConversation,
    states: readonly AgentState[],
    when: Date,
  ): { state: AgentState; unit: CapacityUnit } | undefined {
    for (const state of rankCandidates(conversation, inQueue(states, conversation))) {
      const unit = this.roster.planUnit(state, conversation, when);
      if (!unit) continue;
      state.held.push(unit);
      state.lastAssignedAt = when;
      return { state, unit };
    }
    return undefined;
  }

  private async assignFromRead(
    conversation: AssignableConversation,
    agents: SharedRead,
    queueIds: readonly string[],
    at: Date,
  ): Promise<Assignment | null> {
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const candidates = rankCandidates(
        conversation,
        agents.states.filter((state) => state.agent.queueIds.includes(conversation.queueId)),
      );
      if (candidates.length === 0) return null;
      const claimId = await this.claims.acquire(conversation.tenantId, conversation._id);
      // A drain found it waiting first and assigns it.
      if (!claimId) return null;
      try {
        for (const candidate of candidates) {
          const { agentId } = candidate.agent;
          // One reservation per agent at a time, each seeing the units the previous ones took: attempts side by side
          // do not all go for the same free slot.
          const unit = await oneAtATime(agents.reserving, agentId, async () => {
            const reserved = await this.roster.reserve(candidate, conversation, at, {
              recordActivity: false,
            });
            if (reserved) candidate.held.push(reserved);
            return reserved;
          });
          if (!unit) continue;
          if (!(await this.line.assign(conversation, agentId, at))) {
            // Not waiting any more after all: the unit goes back to whoever waits for it.
            candidate.held.splice(candidate.held.indexOf(unit), 1);
            await this.roster.release(conversation.tenantId, agentId, conversation._id);
            await this.drainQueues(conversation.tenantId, candidate.agent.queueIds, at);
            return null;
          }
          candidate.lastAssignedAt = at;
          return { conversationId: conversation._id, agentId, queueId: conversation.queueId, assignedAt: at };
        }
      } finally {
        await this.claims.release(claimId);
      }
      // Every candidate filled up meanwhile (another attempt took the slots): read the agents again.
      agents.states = await this.roster.onlineIn(conversation.tenantId, queueIds);
    }
    return null;
  }

  /**
   * A transfer to a named agent: the waiting conversation goes to that agent if they are online in its queue and
   * have room for its kind (capacity holds for directed transfers too); null otherwise, and it waits in its queue.
   */
  async assignTo(
    tenantId: string,
    conversationId: string,
    agentId: string,
    at: Date,
  ): Promise<Assignment | null> {
    const conversation = await this.line.get(tenantId, conversationId);
    if (!conversation || !isWaiting(conversation)) return null;
    const online = await this.roster.onlineIn(tenantId, [conversation.queueId]);
    const [candidate] = rankCandidates(
      conversation,
      online.filter((state) => state.agent.agentId === agentId),
    );
    if (!candidate) return null;
    const claimId = await this.claims.acquire(tenantId, conversationId);
    if (!claimId) return null;
    const refunded = new Set<string>();
    try {
      const outcome = await this.assignClaimed(conversation, [candidate], at, refunded);
      return outcome?.status === 'assigned' ? outcome.assignment : null;
    } finally {
      await this.claims.release(claimId);
      if (refunded.size > 0)
        await this.drainQueues(tenantId, await this.queuesOfAgents(tenantId, refunded), at);
    }
  }

  /** Assigns the queue's waiting conversations while its online agents have room. */
  drainQueue(tenantId: string, queueId: string, at: Date): Promise<Assignment[]> {
    return this.drainQueues(tenantId, [queueId], at);
  }

  /**
   * The agent no longer holds the conversation (resolved, transferred away, unassigned): an open conversation still
   * assigned to the agent waits again, the agent's unit of capacity comes back (once, however often this is
   * replayed), and the agent's queues are drained. Returns the assignments that drain made.
   */
  async release(tenantId: string, conversationId: string, agentId: string, at: Date): Promise<Assignment[]> {
    await this.line.unassign(tenantId, conversationId, agentId, at);
    await this.roster.release(tenantId, agentId, conversationId);
    await this.reconcile(tenantId, agentId);
    // Drained even when nothing came back: a replay after a crash between the release and the drain still drains.
    const agent = await this.roster.document(tenantId, agentId);
    const conversation = await this.line.get(tenantId, conversationId);
    const queueIds = new Set(agent?.queueIds ?? []);
    if (conversation && isWaiting(conversation)) queueIds.add(conversation.queueId);
    return this.drainQueues(tenantId, queueIds, at);
  }

  /**
   * Away and offline agents keep their conversations but get no new ones; an agent coming online takes waiting work
   * at once. A change older than the last one applied is ignored. Returns the assignments made.
   */
  async setPresence(
    tenantId: string,
    agentId: string,
    presence: AgentPresence,
    at: Date,
  ): Promise<Assignment[]> {
    const change = await this.roster.setPresence(tenantId, agentId, presence, at);
    if (change === 'unknown-agent' || presence !== 'online') return [];
    await this.reconcile(tenantId, agentId);
    const agent = await this.roster.document(tenantId, agentId);
    if (agent?.presence !== 'online') return [];
    return this.drainQueues(tenantId, agent.queueIds, at);
  }

  /** Changes an agent's capacity (its conversations stay); raised capacity takes waiting work at once. */
  async setCapacity(
    tenantId: string,
    agentId: string,
    capacity: AgentCapacity,
    at: Date,
  ): Promise<Assignment[]> {
    if (!(await this.roster.setCapacity(tenantId, agentId, capacity))) return [];
    return this.drainQueues(tenantId, await this.queuesOfAgents(tenantId, [agentId]), at);
  }

  /** Applies a seed (see QueueDirectory.applySeed), then drains its queues: agents may have gained capacity. */
  async applySeed(tenantId: string, seed: QueueSeed, at: Date): Promise<Assignment[]> {
    await this.directory.applySeed(tenantId, seed, at);
    return this.drainQueues(
      tenantId,
      seed.queues.map((queue) => queue.queueId),
      at,
    );
  }

  /**
   * Assigns the head of the lines of these queues while agents have room. Each round reads which kinds each queue
   * has room for, then the head of those lines; a conversation no agent can take is passed over for the rest of this
   * drain (the drain after the next release sees it again).
   */
  private async drainQueues(tenantId: string, queueIds: Iterable<string>, at: Date): Promise<Assignment[]> {
    const assignments: Assignment[] = [];
    const queues = new Set(queueIds);
    const passed = new Set<string>();
    while (queues.size > 0) {
      const room = await this.roomIn(tenantId, queues);
      for (const queueId of queues) if (!room.has(queueId)) queues.delete(queueId);
      const head = await this.headOfLines(tenantId, room, passed);
      if (head.length === 0) break;
      const full = new Set<string>();
      for (const conversation of head) {
        const line = `${conversation.queueId}|${conversation.channelKind}`;
        if (full.has(line)) {
          passed.add(conversation._id);
          continue;
        }
        const refunded = new Set<string>();
        const outcome = await this.claim(conversation, at, refunded);
        if (outcome.status === 'assigned') assignments.push(outcome.assignment);
        else passed.add(conversation._id);
        if (outcome.status === 'no-room') full.add(line);
        if (refunded.size > 0) {
          // Capacity came back outside a release: what was passed over may fit now.
          passed.clear();
          full.clear();
          for (const queueId of await this.queuesOfAgents(tenantId, refunded)) queues.add(queueId);
        }
      }
    }
    return assignments;
  }

  private async claim(
    conversation: AssignableConversation,
    at: Date,
    refunded: Set<string>,
  ): Promise<ClaimOutcome> {
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      // Looked up without holding the claim, so "no room" is final: capacity freed after this look comes with a
      // drain, and that drain finds the conversation waiting and unclaimed.
      const candidates = await this.candidatesFor(conversation);
      if (candidates.length === 0) return { status: 'no-room' };
      const claimId = await this.claims.acquire(conversation.tenantId, conversation._id);
      if (!claimId) return { status: 'not-waiting' };
      try {
        const outcome = await this.assignClaimed(conversation, candidates, at, refunded);
        if (outcome) return outcome;
      } finally {
        await this.claims.release(claimId);
      }
      // Every candidate filled up meanwhile: look again, now that the claim is let go.
    }
    return { status: 'no-room' };
  }

  /** Under the claim: the first candidate with a free unit gets it. Undefined when every candidate filled up. */
  private async assignClaimed(
    claimed: AssignableConversation,
    candidates: readonly AgentState[],
    at: Date,
    refunded: Set<string>,
  ): Promise<ClaimOutcome | undefined> {
    const conversation = await this.line.get(claimed.tenantId, claimed._id);
    if (!conversation || !isWaiting(conversation) || conversation.queueId !== claimed.queueId) {
      return { status: 'not-waiting' };
    }
    await this.releaseLeftovers(conversation, refunded);
    for (const candidate of candidates) {
      const { agent } = candidate;
      if (!(await this.roster.reserve(candidate, conversation, at))) continue;
      if (await this.line.assign(conversation, agent.agentId, at)) {
        const assignment = {
          conversationId: conversation._id,
          agentId: agent.agentId,
          queueId: conversation.queueId,
          assignedAt: at,
        };
        return { status: 'assigned', assignment };
      }
      // A command resolved or moved the conversation meanwhile: the unit goes back.
      if (await this.roster.release(conversation.tenantId, agent.agentId, conversation._id))
        refunded.add(agent.agentId);
      return { status: 'not-waiting' };
    }
    return undefined;
  }

  /**
   * The conversation waits and the claim is ours, so no agent holds it legitimately: a unit held for it is a
   * leftover (an attempt that crashed before assigning, a release still to come after the conversation store moved
   * it, an assignment a concurrent FerretDB update overwrote) and goes back.
   */
  private async releaseLeftovers(conversation: AssignableConversation, refunded: Set<string>): Promise<void> {
    for (const unit of await this.roster.holdersOf(conversation.tenantId, conversation._id)) {
      if (await this.roster.release(conversation.tenantId, unit.agentId, conversation._id))
        refunded.add(unit.agentId);
    }
  }

  /**
   * Gives back the units the agent holds for conversations it no longer has (see releaseLeftovers for how they
   * arise), unless an attempt is assigning that conversation now. Read in this order, units then claims then
   * conversations, so an attempt that starts meanwhile finds the unit itself and releases it first; a unit is
   * deleted by its own id, so a new one for the same conversation is never touched.
   */
  private async reconcile(tenantId: string, agentId: string): Promise<void> {
    const held = await this.roster.heldBy(tenantId, agentId);
    if (held.length === 0) return;
    const conversationIds = held.map((unit) => unit.conversationId);
    const claimed = await this.claims.liveFor(tenantId, conversationIds);
    const conversations = await this.line.getMany(tenantId, conversationIds);
    const leaseStart = Date.now() - CLAIM_LEASE_MS;
    for (const unit of held) {
      const conversation = conversations.get(unit.conversationId);
      const stillHeld = conversation?.status === 'open' && conversation.assigneeId === agentId;
      // Reserved for a conversation being inserted assigned (reserveForNew): not a leftover while its lease runs.
      const beingCreated = !conversation && (unit.reservedAt?.getTime() ?? 0) > leaseStart;
      if (stillHeld || beingCreated || claimed.has(unit.conversationId)) continue;
      await this.roster.releaseUnit(unit);
    }
  }

  /** Online agents of the conversation's queue with room for its kind, best first. */
  private async candidatesFor(conversation: AssignableConversation): Promise<AgentState[]> {
    return rankCandidates(
      conversation,
      await this.roster.onlineIn(conversation.tenantId, [conversation.queueId]),
    );
  }

  /** Which kinds of conversation each queue has room for now, from its online agents. */
  private async roomIn(
    tenantId: string,
    queueIds: ReadonlySet<string>,
  ): Promise<Map<string, Set<ChannelKind>>> {
    const room = new Map<string, Set<ChannelKind>>();
    for (const { agent, held } of await this.roster.onlineIn(tenantId, [...queueIds])) {
      const kinds = CHANNEL_KINDS.filter((kind) => freeFor(agent, held, kind) > 0);
      if (kinds.length === 0) continue;
      for (const queueId of agent.queueIds) {
        if (!queueIds.has(queueId)) continue;
        const queueRoom = room.get(queueId) ?? new Set<ChannelKind>();
        kinds.forEach((kind) => queueRoom.add(kind));
        room.set(queueId, queueRoom);
      }
    }
    return room;
  }

  /** The first conversations of the lines together, in the lines' order: priority, then time waiting. */
  private async headOfLines(
    tenantId: string,
    room: ReadonlyMap<string, ReadonlySet<ChannelKind>>,
    passed: ReadonlySet<string>,
  ): Promise<AssignableConversation[]> {
    const lines = await Promise.all(
      [...room].map(([queueId, kinds]) =>
        this.line.waiting(tenantId, queueId, [...kinds], [...passed], LINE_BATCH),
      ),
    );
    return lines.flat().sort(lineOrder).slice(0, LINE_BATCH);
  }

  private async queuesOfAgents(tenantId: string, agentIds: Iterable<string>): Promise<Set<string>> {
    const queueIds = new Set<string>();
    for (const agentId of agentIds) {
      const agent = await this.roster.document(tenantId, agentId);
      agent?.queueIds.forEach((queueId) => queueIds.add(queueId));
    }
    return queueIds;
  }
}

/** A conversation's agent chosen before the conversation is inserted, with the unit of capacity it holds. */
export interface NewAssignment {
  assignment: Assignment;
  unit: CapacityUnit;
}

/** assignCreated's read of the online agents, shared by its attempts and kept current by them. */
interface SharedRead {
  states: AgentState[];
  /** Per agent, the reservation in progress (see oneAtATime). */
  reserving: Map<string, Promise<unknown>>;
}

/** Runs `task` after the previous task of the same key settled. */
function oneAtATime<R>(
  chains: Map<string, Promise<unknown>>,
  key: string,
  task: () => Promise<R>,
): Promise<R> {
  const run = (chains.get(key) ?? Promise.resolve()).then(task, task);
  chains.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}

/** Of these online agents of the conversation's queue, those with room for its kind, best first. */
function rankCandidates(conversation: AssignableConversation, online: readonly AgentState[]): AgentState[] {
  const kind = conversation.channelKind;
  const states = online.filter(
    (state) => !state.held.some((unit) => unit.conversationId === conversation._id),
  );
  const byAgent = new Map(states.map((state) => [state.agent.agentId, state]));
  const ranked = rankAgentsForAssignment(
    states.map(({ agent, held, lastAssignedAt }) => {
      const limit = limitOf(agent, poolOf(agent, kind));
      return {
        agentId: agent.agentId,
        presence: agent.presence,
        capacity: limit,
        load: limit - freeFor(agent, held, kind),
        lastAssignedAt,
      };
    }),
  );
  return ranked.map((candidate) => byAgent.get(candidate.agentId)).filter((state) => state !== undefined);
}

/** The agents of the read that belong to the conversation's queue. */
function inQueue(states: readonly AgentState[], conversation: AssignableConversation): AgentState[] {
  return states.filter((state) => state.agent.queueIds.includes(conversation.queueId));
}

/** The waiting line's order: highest priority, then longest waiting, then id. */
function lineOrder(a: AssignableConversation, b: AssignableConversation): number {
  return (
    b.priorityRank - a.priorityRank ||
    (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0) ||
    a._id.localeCompare(b._id)
  );
}

function isWaiting(conversation: AssignableConversation): boolean {
  return conversation.status === 'open' && conversation.assigneeId === null;
}
