// A real SMTP server in-process (smtp-server); received mail is parsed with mailparser. Scripted SMTP replies.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP reply to give instead of accepting a message, e.g. 451 (try later) or 550 (refused). */
export interface SmtpFault {
  code: number;
  message: string;
  /** Wait this long before answering (a slow server); with code 250 the message is then accepted. */
  delayMs?: number;
}

export class SmtpStandIn {
  readonly received: ParsedMail[] = [];
  /** Users that logged in. */
  readonly logins: string[] = [];
  private readonly faults: SmtpFault[] = [];
  private always: SmtpFault | null = null;
  private server: SMTPServer;
  private port = 0;

  constructor() {
    this.server = this.create();
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** The next messages are answered with these. */
  fail(...faults: SmtpFault[]): void {
    this.faults.push(...faults);
  }

  failAlways(fault: SmtpFault | null): void {
    this.always = fault;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.create();
  }

  async restart(): Promise<void> {
    await this.start(this.port);
  }

  private create(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        this.logins.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
      onData: (stream, _session, callback) => {
        const fault = this.faults.shift() ?? this.always;
        simpleParser(stream)
          .then(async (mail) => {
            if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
            if (fault && fault.code !== 250) return callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
            this.received.push(mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
  }
}
