/** Who is on the other end of a call (or an SMS): Dialpad's `contact`, as the newest event named it. */
export class ContactDto {
  /** Dialpad's contact id (a string: Dialpad ids exceed JavaScript's safe integers). */
  id!: string | null;
  /** The contact's name, or Dialpad's caller-id guess (e.g. a city) for an unknown number. */
  name!: string | null;
  email!: string | null;
  /** E.164 when it is a phone number, else as Dialpad sent it. */
  phone!: string | null;
  /** Dialpad's contact type (e.g. `local`, `shared`). */
  type!: string | null;
}
