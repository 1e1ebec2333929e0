import { Rng, Tensor } from '../lib';
import { shiftImagesAtRandom } from '../demos/reports/random-shifts';

/** A generator whose `int(n)` answers are given in advance (the shifts are int(2s + 1) − s). */
function scripted(answers: number[]): Rng {
  let next = 0;
  return { int: (n: number) => {
    expect(n).toBe(5); // maxShift 2 below
    return answers[next++];
  } } as unknown as Rng;
}

describe('random shifts of images (demos/reports/random-shifts.ts, report 004\'s 004-cnn-shift)', () => {
  const x = Tensor.fromArray(Array.from({ length: 40 }, (_, i) => i + 1), [2, 1, 4, 5]);

  test('out[n,c,i,j] = x[n,c,i−dy,j−dx] inside the image, 0 outside: the numbers PyTorch\'s shift_images gives', () => {
    // image 0: dy = −1, dx = 1 (answers 1 and 3); image 1: dy = dx = 0 (answers 2 and 2)
    const out = shiftImagesAtRandom(x, 2, scripted([1, 3, 2, 2]), new Tensor([2, 1, 4, 5]));
    // demos/reports/pytorch_reports.py's shift_images on the same images and shifts, printed once
    expect(Array.from(out.data.subarray(0, 20))).toEqual([0, 6, 7, 8, 9, 0, 11, 12, 13, 14, 0, 16, 17, 18, 19, 0, 0, 0, 0, 0]);
    expect(Array.from(out.data.subarray(20))).toEqual(Array.from(x.data.subarray(20)));
  });

  test('each image its own shift in {−s, …, s}², drawn dy then dx from the seeded generator; the same seed, the same shifts', () => {
    const images = new Tensor([50, 2, 6, 7]);
    new Rng('pixels').fillUniform(images.data);
    const out = shiftImagesAtRandom(images, 2, new Rng('shifts'), new Tensor(images.shape));
    const twin = new Rng('shifts');
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (let n = 0; n < 50; n++) {
      const dy = twin.int(5) - 2;
      const dx = twin.int(5) - 2;
      seen.add(`${dy},${dx}`);
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < 6; i++) {
          for (let j = 0; j < 7; j++) {
            const inside = i - dy >= 0 && i - dy < 6 && j - dx >= 0 && j - dx < 7;
            if (out.get(n, c, i, j) !== (inside ? images.get(n, c, i - dy, j - dx) : 0)) wrong.push(`${n},${c},${i},${j}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBeGreaterThan(15); // of the 25 shifts
    expect(shiftImagesAtRandom(images, 2, new Rng('shifts'), new Tensor(images.shape)).data).toEqual(out.data);
    expect(shiftImagesAtRandom(images, 0, new Rng('shifts'), new Tensor(images.shape)).data).toEqual(images.data);
  });

  test('wrong shapes and shifts are refused', () => {
    expect(() => shiftImagesAtRandom(new Tensor([2, 20]), 1, new Rng(0), new Tensor([2, 20]))).toThrow(/^shiftImagesAtRandom: x must be images \[N,C,H,W\], got shape \[2,20\]$/);
    expect(() => shiftImagesAtRandom(x, 1, new Rng(0), new Tensor([2, 1, 5, 4]))).toThrow(/^shiftImagesAtRandom: out has shape \[2,1,5,4\], expected x's \[2,1,4,5\]$/);
    expect(() => shiftImagesAtRandom(x, 4, new Rng(0), new Tensor([2, 1, 4, 5]))).toThrow(/^shiftImagesAtRandom: maxShift must be an integer from 0 to 3, got 4$/);
    expect(() => shiftImagesAtRandom(x, 0.5, new Rng(0), new Tensor([2, 1, 4, 5]))).toThrow(/maxShift must be an integer/);
  });
});
