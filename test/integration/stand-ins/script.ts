// Scripted faults for the stand-in servers: the next requests answer with these instead of the normal answer.

/** One scripted answer: a status (with body and headers), a delay before answering, or a dropped connection. */
export interface Fault {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Milliseconds to wait before answering (slow responses). */
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
}

export class FaultScript {
  private readonly queue: Fault[] = [];
  private always: Fault | null = null;

  /** Answers the next requests with these, in order. */
  next(...faults: Fault[]): void {
    this.queue.push(...faults);
  }

  /** Answers every request with this until `clear()`. */
  every(fault: Fault): void {
    this.always = fault;
  }

  clear(): void {
    this.queue.length = 0;
    this.always = null;
  }

  take(): Fault | null {
    return this.queue.shift() ?? this.always;
  }
}
