import snakecaseKeys from 'snakecase-keys';

/** The name a customConfig key reaches the IdP under: the connector snake_cases every key. */
export const wireName = (key: string): string => Object.keys(snakecaseKeys({ [key]: '' }))[0] ?? key;
