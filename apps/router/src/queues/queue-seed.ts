import { readFile } from 'node:fs/promises';
import {
  type AgentConfig,
  CHANNELS,
  type QueueConfig,
  type RoutingConfig,
  SupportConfig,
} from '@ponte/contracts';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { compileRoutingRules, InvalidRoutingRuleError } from '../routing/routing-rules';

/** Queues, agents and routing of a tenant, as the seed file states them (see apps/router/config/queues.seed.json). */
export type QueueSeed = SupportConfig;
export type QueueSeedEntry = QueueConfig;
export type AgentSeedEntry = AgentConfig;
export type RoutingSeed = RoutingConfig;

export interface SeedProblem {
  /** Dotted path from the seed's root, as in the contract errors: `agents.1.capacity`. */
  field: string;
  message: string;
}

/** The seed cannot be used; nothing of it was applied (invariant 6). */
export class InvalidQueueSeedError extends Error {
  readonly code = 'INVALID_QUEUE_SEED';

  constructor(
    /** The file (or "seed" for a value given in code). */
    readonly source: string,
    readonly problems: readonly SeedProblem[],
  ) {
    super(
      `Invalid queue seed ${source}: ${problems.map((problem) => (problem.field ? `${problem.field}: ${problem.message}` : problem.message)).join('; ')}`,
    );
    this.name = InvalidQueueSeedError.name;
  }

  /** The first offending field. */
  get field(): string {
    return this.problems[0]?.field ?? '';
  }
}

/** Reads and checks a seed file; throws InvalidQueueSeedError naming the file and every bad field. */
export async function loadQueueSeed(path: string): Promise<QueueSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidQueueSeedError(path, [
      { field: '', message: `cannot read the file: ${(error as Error).message}` },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidQueueSeedError(path, [{ field: '', message: `not JSON: ${(error as Error).message}` }]);
  }
  return parseQueueSeed(value, path);
}

/** Checks a seed given as a value: each field, then what fields say about each other (ids unique, references known). */
export function parseQueueSeed(value: unknown, source = 'seed'): QueueSeed {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidQueueSeedError(source, [{ field: '', message: 'the seed must be a JSON object' }]);
  }
  const seed = plainToInstance(SupportConfig, value);
  const fieldProblems = toSeedProblems(
    validateSync(seed, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  if (fieldProblems.length > 0) throw new InvalidQueueSeedError(source, fieldProblems);
  const problems = crossCheck(seed);
  if (problems.length > 0) throw new InvalidQueueSeedError(source, problems);
  return toPlainSeed(seed);
}

function crossCheck(seed: SupportConfig): SeedProblem[] {
  const problems: SeedProblem[] = [];
  const queues = new Map<string, QueueConfig>();
  seed.queues.forEach((queue, index) => {
    if (queues.has(queue.queueId)) {
      problems.push({
        field: `queues.${index}.queueId`,
        message: `queue ${queue.queueId} is declared twice`,
      });
    }
    queues.set(queue.queueId, queue);
    const tierFits = queue.kind === 'specialist' ? queue.tier !== 'n1' : queue.tier === 'n1';
    if (!tierFits) {
      problems.push({
        field: `queues.${index}.tier`,
        message: `a ${queue.kind} queue belongs to ${queue.kind === 'specialist' ? 'n2 or n3' : 'n1'}, not ${queue.tier}`,
      });
    }
  });

  const agentIds = new Set<string>();
  seed.agents.forEach((agent, index) => {
    const field = `agents.${index}`;
    if (agentIds.has(agent.agentId)) {
      problems.push({ field: `${field}.agentId`, message: `agent ${agent.agentId} is declared twice` });
    }
    agentIds.add(agent.agentId);
    agent.queueIds.forEach((queueId, position) => {
      if (!queues.has(queueId))
        problems.push({ field: `${field}.queueIds.${position}`, message: `no queue ${queueId}` });
    });
  });

  // New conversations start at tier 1 (design brief §5); N2/N3 receive them by escalation only.
  const routingTarget = (queueId: string, field: string): void => {
    const queue = queues.get(queueId);
    if (!queue) problems.push({ field, message: `no queue ${queueId}` });
    else if (queue.tier !== 'n1')
      problems.push({ field, message: `queue ${queueId} is ${queue.tier}; routing targets N1` });
  };
  routingTarget(seed.routing.defaultQueueId, 'routing.defaultQueueId');
  const ruleIds = new Set<string>();
  seed.routing.rules.forEach((rule, index) => {
    const field = `routing.rules.${index}`;
    if (ruleIds.has(rule.id))
      problems.push({ field: `${field}.id`, message: `rule ${rule.id} is declared twice` });
    ruleIds.add(rule.id);
    routingTarget(rule.queueId, `${field}.queueId`);
    try {
      compileRoutingRules([rule]);
    } catch (error) {
      if (!(error instanceof InvalidRoutingRuleError)) throw error;
      problems.push({ field: `${field}.pattern`, message: error.message });
    }
  });

  for (const [channel, account] of Object.entries(seed.channelAccounts ?? {})) {
    const field = `channelAccounts.${channel}`;
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      problems.push({ field, message: `not a channel (one of ${CHANNELS.join(', ')})` });
    } else if (typeof account !== 'string' || account.length === 0) {
      problems.push({ field, message: 'must be a non-empty account id' });
    }
  }
  return problems;
}

/** Plain objects, so the seed compares and stores as data (no class instances, no undefined fields). */
function toPlainSeed(seed: SupportConfig): QueueSeed {
  return JSON.parse(JSON.stringify(seed)) as QueueSeed;
}

function toSeedProblems(errors: readonly ValidationError[], prefix = ''): SeedProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    // A missing field fails every check on it; one "is required" reads better than the whole list.
    const unexpected = error.constraints?.['whitelistValidation'];
    if (unexpected) return [{ field, message: unexpected }];
    if (error.value == null && constraints.length > 0)
      return [{ field, message: `${error.property} is required` }];
    const own = constraints.map(([, message]) => ({ field, message }));
    return [...own, ...toSeedProblems(error.children ?? [], field)];
  });
}
