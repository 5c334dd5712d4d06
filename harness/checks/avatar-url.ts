import type { CheckResult } from '../model.ts';
import type { Observation } from '../observation.ts';

const isUrl = (value: string) => /^https?:\/\/\S+$/i.test(value);

/**
 * Logto stores whatever string the avatar path holds and shows it as an image URL. Some IdPs give
 * an image id there (Discord's `avatar` is a hash to build a CDN URL from): a broken image, no error.
 */
export function checkAvatarUrl(observation: Observation): CheckResult[] {
  const avatar = observation.userInfo?.avatar;
  if (typeof avatar !== 'string' || avatar === '' || isUrl(avatar)) return [];
  const configured = (observation.config.profileMap as Record<string, string> | undefined)?.avatar;
  const path =
    observation.scenario.connector === 'oidc'
      ? 'the picture claim'
      : `profileMap.avatar ("${configured ?? 'avatar'}"${configured === undefined ? ', the default' : ''})`;
  const hashLike = /^(a_)?[0-9a-f]{32}$/i.test(avatar);
  return [
    {
      id: 'profile.avatar.url',
      title: 'Avatar is a URL',
      status: 'warn',
      message: `${path} gives ${JSON.stringify(avatar)}, not an http(s) URL: Logto stores it as the avatar and shows a broken image`,
      evidence: { avatar, ...(configured ? { path: configured } : {}) },
      hint: `map "avatar" to a userinfo field that holds a URL; if the IdP has none (the connector cannot build one${hashLike ? ", e.g. Discord's https://cdn.discordapp.com/avatars/{id}/{hash}.png" : ''}), point profileMap.avatar at a field that does not exist (e.g. "avatar_url") so Logto gets no avatar, or use the provider's dedicated Logto connector`,
    },
  ];
}
