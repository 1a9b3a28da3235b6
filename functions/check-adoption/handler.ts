// Placeholder until the step lands; the CDK stack needs the entry file to exist.
export const handler = async (_event: unknown): Promise<never> => {
  throw new Error('not implemented yet');
};
