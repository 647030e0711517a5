import { Body, Controller, Headers, NotFoundException, Param, Patch, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AgentConfig, QueueConfig } from '@ponte/contracts';
import type { FastifyReply } from 'fastify';
import { type AgentPrincipal, CurrentAgent, Roles } from '../auth/agent-principal';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { AgentCommands } from '../commands/agent-commands.service';
import {
  AgentBody,
  AgentPatchBody,
  type CommandResultView,
  QueueBody,
  QueuePatchBody,
  RoutingBody,
} from '../commands/command.dto';
import { ApiProblems } from '../http/api-problem.decorators';
import { RequestValidationError } from '../http/problem.error';
import { ApiCommand, IDEMPOTENCY_HEADER, sendCommand } from './conversations.controller';
import { RouterReadModel } from './router-read.repository';

const ID_PATTERN = /^[^\s|]{1,128}$/;

/**
 * The router's support configuration, for admins: each change is a `configure` command, which the router checks as a
 * whole (an agent in an unknown queue is a 422, nothing changes). PATCH completes the body from the router's stored
 * queue or agent; it is not atomic with other admins' changes (last writer wins).
 */
@ApiTags('admin')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@ApiProblems(400, 401, 403, 404, 422, 429)
@Roles('admin')
@Controller('api/v1/admin')
export class AdminConfigurationController {
  constructor(
    private readonly commands: AgentCommands,
    private readonly readModel: RouterReadModel,
  ) {}

  @Put('queues/:queueId')
  @ApiCommand('Create or replace a queue')
  putQueue(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('queueId') queueId: string,
    @Body() body: QueueBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    return this.configure(admin, key, response, `/admin/queues/${validId(queueId)}`, body, {
      queues: [{ queueId, name: body.name, kind: body.kind, tier: body.tier, skills: body.skills }],
    });
  }

  @Patch('queues/:queueId')
  @ApiCommand('Change some fields of a queue')
  async patchQueue(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('queueId') queueId: string,
    @Body() body: QueuePatchBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const current = await this.readModel.queue(admin.tenantId, validId(queueId));
    if (!current)
      throw notFound('queueId', `There is no queue ${JSON.stringify(queueId)}; create it with PUT.`);
    const queue: QueueConfig = {
      queueId,
      name: body.name ?? current.name,
      kind: body.kind ?? current.kind,
      tier: body.tier ?? current.tier,
      skills: body.skills ?? current.skills,
    };
    return this.configure(admin, key, response, `/admin/queues/${queueId}#patch`, body, { queues: [queue] });
  }

  @Put('agents/:agentId')
  @ApiCommand("Create or replace an agent's roster entry (queues, capacity, role)")
  putAgent(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('agentId') agentId: string,
    @Body() body: AgentBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const agent: AgentConfig = {
      agentId: validId(agentId),
      displayName: body.displayName,
      role: body.role,
      queueIds: body.queueIds,
      capacity: body.capacity,
      ...(body.capacityByKind ? { capacityByKind: { ...body.capacityByKind } } : {}),
    };
    return this.configure(admin, key, response, `/admin/agents/${agentId}`, body, { agents: [agent] });
  }

  @Patch('agents/:agentId')
  @ApiCommand("Change some fields of an agent's roster entry")
  async patchAgent(
    @CurrentAgent() admin: AgentPrincipal,
    @Param('agentId') agentId: string,
    @Body() body: AgentPatchBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const current = await this.readModel.agent(admin.tenantId, validId(agentId));
    if (!current)
      throw notFound('agentId', `The router has no agent ${JSON.stringify(agentId)}; create it with PUT.`);
    const capacityByKind = body.capacityByKind ?? current.capacityByKind;
    const agent: AgentConfig = {
      agentId,
      displayName: body.displayName ?? current.displayName,
      role: body.role ?? current.role,
      queueIds: body.queueIds ?? current.queueIds,
      capacity: body.capacity ?? current.capacity,
      ...(capacityByKind ? { capacityByKind: { ...capacityByKind } } : {}),
    };
    return this.configure(admin, key, response, `/admin/agents/${agentId}#patch`, body, { agents: [agent] });
  }

  @Put('routing')
  @ApiCommand('Replace the routing rules and the default queue')
  putRouting(
    @CurrentAgent() admin: AgentPrincipal,
    @Body() body: RoutingBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    return this.configure(admin, key, response, '/admin/routing', body, {
      routing: { defaultQueueId: body.defaultQueueId, rules: body.rules.map((rule) => ({ ...rule })) },
    });
  }

  private configure(
    admin: AgentPrincipal,
    key: string | undefined,
    response: FastifyReply,
    route: string,
    body: object,
    change: { queues?: QueueConfig[]; agents?: AgentConfig[]; routing?: RoutingBody },
  ): Promise<CommandResultView> {
    return sendCommand(this.commands, response, admin, key, route, body, (common) => ({
      ...common,
      kind: 'configure',
      ...change,
    }));
  }
}

function validId(id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new RequestValidationError([
      { field: 'id', pointer: '', detail: 'the id must be 1 to 128 characters without spaces or "|"' },
    ]);
  }
  return id;
}

function notFound(_field: string, detail: string): NotFoundException {
  return new NotFoundException(detail);
}
