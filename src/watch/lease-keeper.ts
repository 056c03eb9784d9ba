// Replicas sharing a PostgreSQL store: every third of the lease period, renew this replica's leases, take over work
// whose replica died (free or lapsed leases), and let go of work taken over by others. Readiness follows its health.
import type { LeaseChanges, WorkLeases } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';

export interface LeaseKeeperDeps {
  leases: WorkLeases;
  watcher: { adopt(ids: readonly string[]): void; drop(ids: readonly string[]): void };
  recovery: { adopt(ids: readonly string[]): void; drop(ids: readonly string[]): void };
  /** Told about deliveries in flight at a replica whose lease lapsed (requeued notifications, interrupted hooks). */
  onResumed(r: Pick<LeaseChanges, 'requeued' | 'interrupted'>): Promise<void>;
  logger: Logger;
  /** Wall clock, Unix seconds. */
  now(): number;
  /** Watches (and recovery checks) taken per round at most (default 1000): a dead replica's work is taken in one or a few rounds. */
  batch?: number;
}

export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = false;
  /** Why this replica is not fit to take work, or null. */
  private problem: string | null = 'leases not taken yet';
  private lastOk = 0;

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** Milliseconds between rounds: a third of the lease, so two rounds may fail before a lease lapses. */
  get periodMs(): number {
    return Math.max(100, (this.deps.leases.ttl * 1000) / 3);
  }

  /** Runs the first round (failing loudly if PostgreSQL is unreachable), then one every period. */
  async start(): Promise<LeaseChanges> {
    const first = await this.tend();
    this.arm();
    return first;
  }

  /** Why /readyz should answer 503, or null: a round failed, or none succeeded within a lease period. */
  notReadyReason(): string | null {
    if (this.problem) return this.problem;
    if (this.deps.now() - this.lastOk > this.deps.leases.ttl) return `no lease round succeeded for over ${this.deps.leases.ttl}s; leases are lapsing`;
    return null;
  }

  /** Stops the rounds and hands the leases back so that other replicas take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    await this.deps.leases
      .releaseAll()
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not hand the leases back; other replicas take over when they lapse'));
  }

  /** One round; also called by tests. */
  async tend(): Promise<LeaseChanges> {
    const changes = await this.deps.leases.tend(this.deps.batch ?? 1000, this.deps.now());
    this.lastOk = this.deps.now();
    if (this.problem) this.deps.logger.info({ replica: this.deps.leases.replica }, `replica ${this.deps.leases.replica} holds its leases again`);
    this.problem = null;
    const { watches, recoveries } = changes;
    this.deps.watcher.drop(watches.lost);
    this.deps.recovery.drop(recoveries.lost);
    this.deps.watcher.adopt(watches.taken);
    this.deps.recovery.adopt(recoveries.taken);
    if (changes.requeued.length > 0 || changes.interrupted.length > 0) await this.deps.onResumed(changes);
    if (watches.taken.length + watches.lost.length > 0) {
      this.deps.logger.info(
        { replica: this.deps.leases.replica, taken: watches.taken.length, lost: watches.lost.length },
        `leases: took ${watches.taken.length} watch(es), lost ${watches.lost.length}`,
      );
    }
    return changes;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.tend().then(
        () => undefined,
        (err: unknown) => {
          // Unready, and no claims: without the database this replica cannot renew, so its leases lapse and others take over.
          const message = (err as Error).message;
          if (this.problem === null) this.deps.logger.error({ err }, `cannot reach the store to renew leases; answering unready: ${message}`);
          this.problem = `cannot reach the store: ${message}`;
        },
      );
      void this.round.finally(() => this.arm());
    }, this.periodMs);
  }
}
