import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../common/gateway-error.js';
import { DatabaseNotifications } from '../database/database-notifications.service.js';
import { ServiceRuntimes } from './service-runtimes.service.js';

const CHANNEL = 'gateway_circuit_reset';

/**
 * An admin's reset of a circuit reaches every instance: behind a load balancer the call lands on
 * one of them, and the others would go on refusing with their own open circuits. The breakers'
 * state itself stays per instance (each sees its own failures), as in most gateways.
 */
@Injectable()
export class CircuitResets implements OnModuleInit {
  /** So that an instance skips its own announcement, which NOTIFY delivers to it too. */
  private readonly instanceId = randomUUID();

  constructor(
    private readonly runtimes: ServiceRuntimes,
    private readonly notifications: DatabaseNotifications,
  ) {}

  onModuleInit(): Promise<void> {
    return this.notifications.subscribe(CHANNEL, {
      onMessage: (payload) => {
        const [sender, serviceId] = payload.split(' ', 2);
        if (sender !== this.instanceId && serviceId) this.runtimes.get(serviceId)?.breaker?.reset();
      },
    });
  }

  /** Closes the service's circuit here at once and on the other instances as NOTIFY reaches them. */
  async resetEverywhere(serviceId: string): Promise<void> {
    this.runtimes.get(serviceId)?.breaker?.reset();
    try {
      await this.notifications.publish(CHANNEL, `${this.instanceId} ${serviceId}`);
    } catch (error) {
      throw new GatewayError('SERVICE_UNAVAILABLE', `the circuit was closed on this instance only: the others could not be told (${(error as Error).message})`);
    }
  }
}
