/** Vietnamese names, including the naming customs of the province's minorities. */
import {
  FAMILY_NAMES,
  FEMALE_GIVEN,
  FEMALE_MIDDLE,
  GIA_RAI_FAMILY,
  MALE_GIVEN,
  MALE_MIDDLE,
  QN_MINORITY_FAMILY,
} from './data.ts';
import type { Random } from './random.ts';

export function pickName(rng: Random, gender: 'male' | 'female', ethnicity: string): string {
  if (['Xơ Đăng', 'Ba Na', 'Giẻ Triêng', 'Brâu', 'Rơ Măm'].includes(ethnicity) && rng.chance(0.6)) {
    return `${gender === 'male' ? 'A' : 'Y'} ${rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN)}`;
  }
  if (ethnicity === 'Gia Rai' && rng.chance(0.7)) {
    const middle = gender === 'female' ? ' Thị' : '';
    return `${rng.pick(GIA_RAI_FAMILY)}${middle} ${rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN)}`;
  }
  const family = ['Hrê', 'Cor', 'Ca Dong'].includes(ethnicity)
    ? rng.weighted(QN_MINORITY_FAMILY)
    : rng.weighted(FAMILY_NAMES);
  const middle = rng.weighted(gender === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
  const given = rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
  return `${family} ${middle} ${given}`;
}

export function personName(rng: Random, gender: 'male' | 'female'): string {
  return pickName(rng, gender, 'Kinh');
}
