import { Transform } from 'class-transformer';
import { IsEmail, Length } from 'class-validator';

export class AgentTokenRequestDto {
  /** The agent's e-mail, as in the router sheet's AgentEmail column. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail()
  @Length(3, 320)
  agent_email!: string;
}

export class AgentTokenDto {
  /** Bearer token for the dialer routes and `/ws?token=`. */
  token!: string;
  expires_at!: Date;
}

export class ConsoleLinkRequestDto extends AgentTokenRequestDto {}

export class ConsoleLinkDto {
  /** The agent console, signed in: `<base>/console#token=…` (the token stays in the fragment, never sent to a server). */
  url!: string;
  expires_at!: Date;
}
