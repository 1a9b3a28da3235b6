/**
 * The fleet's narrow interface to Secrets Manager: list managed secrets by tag, never read a value.
 */

/** A secret as ListSecrets describes it: no value, no version contents. */
export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Scheduled for deletion (`DeletedDate` set). */
  readonly deleted: boolean;
}

export interface SecretListingPort {
  /**
   * Every secret carrying each of `tags` (key and value), across all pages. The service's tag
   * filters match keys and values separately and by prefix, so callers re-check exact pairs.
   */
  listByTags(tags: Readonly<Record<string, string>>): Promise<ListedSecret[]>;
}
