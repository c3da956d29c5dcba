import sharp from 'sharp';

/**
 * What the bot does to a picture before keeping it: the type by its magic bytes (JPEG, PNG,
 * WebP — nothing else), turned upright, every metadata removed (GPS position, camera, owner …)
 * except the capture time, and a small JPEG thumbnail. sharp (libvips, prebuilt binaries
 * shipped inside its npm packages) decodes and encodes.
 */

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The type by the file's first bytes; null for anything else (GIF, HEIC, PDF, text …). */
export function sniffImageType(data: Buffer): PhotoType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** `2020:09:15 08:30:00` (EXIF's local time, no zone: read as Beijing time, the product's one zone). */
function parseExifTime(text: string): Date | undefined {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1990 ? undefined : d;
}

/** EXIF's format: `YYYY:MM:DD HH:MM:SS` in Beijing time. */
function formatExifTime(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${b.slice(0, 4)}:${b.slice(5, 7)}:${b.slice(8, 10)} ${b.slice(11, 19)}`;
}

/**
 * DateTimeOriginal (tag 0x9003 of the Exif IFD), else DateTime (0x0132 of IFD0), from a raw
 * EXIF block as sharp returns it ("Exif\0\0" then a TIFF structure). Anything malformed: none.
 */
export function exifTakenAt(exif: Buffer | undefined): Date | undefined {
  if (!exif) return undefined;
  const tiff = exif.toString('latin1', 0, 4) === 'Exif' ? exif.subarray(6) : exif;
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (o: number) => (o + 2 <= tiff.length ? (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o)) : -1);
  const u32 = (o: number) => (o + 4 <= tiff.length ? (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o)) : -1);
  /** The tags of the IFD at `offset`: tag → [type, count, value offset field position]. */
  const entries = (offset: number) => {
    const out = new Map<number, { type: number; count: number; at: number }>();
    const n = u16(offset);
    for (let i = 0; n > 0 && i < Math.min(n, 512); i++) {
      const at = offset + 2 + i * 12;
      if (at + 12 > tiff.length) break;
      out.set(u16(at), { type: u16(at + 2), count: u32(at + 4), at: at + 8 });
    }
    return out;
  };
  const ascii = (e: { type: number; count: number; at: number } | undefined) => {
    if (!e || e.type !== 2 || e.count < 19 || e.count > 64) return undefined;
    const start = u32(e.at);
    return start >= 0 && start + e.count <= tiff.length ? tiff.toString('latin1', start, start + e.count) : undefined;
  };
  const ifd0 = entries(u32(4));
  const exifPointer = ifd0.get(0x8769);
  const sub = exifPointer ? entries(u32(exifPointer.at)) : new Map();
  const original = ascii(sub.get(0x9003));
  return (original && parseExifTime(original)) || (() => {
    const dt = ascii(ifd0.get(0x0132));
    return dt ? parseExifTime(dt) : undefined;
  })();
}

export interface PreparedPhoto {
  type: PhotoType;
  image: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
  takenAt?: Date;
}

/** Why a file is not kept, in the words the sender is told. */
export class NotAPhotoError extends Error {}

/** The longest side of a thumbnail, in pixels. */
export const THUMB_SIZE = 480;
/** A picture with more pixels than this is refused (a 10 MB file can decode to gigabytes). */
const MAX_PIXELS = 80_000_000;

/** Checks and cleans one picture; throws NotAPhotoError with the reason for the sender. */
export async function preparePhoto(data: Buffer): Promise<PreparedPhoto> {
  const type = sniffImageType(data);
  if (!type) throw new NotAPhotoError('不是图片（只保存 JPEG、PNG、WebP 格式的照片）');
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw new NotAPhotoError('图片已损坏，无法读取');
  }
  const takenAt = exifTakenAt(meta.exif);
  try {
    // rotate(): upright by the EXIF orientation, before the orientation goes with the rest.
    let pipeline = sharp(data, { limitInputPixels: MAX_PIXELS }).rotate();
    if (takenAt) pipeline = pipeline.withExif({ IFD2: { DateTimeOriginal: formatExifTime(takenAt) } });
    const encoded =
      type === 'image/jpeg' ? pipeline.jpeg({ quality: 90 }) : type === 'image/png' ? pipeline.png() : pipeline.webp({ quality: 90 });
    const { data: image, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumb = await sharp(image).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
    return { type, image, thumb, width: info.width, height: info.height, takenAt };
  } catch {
    throw new NotAPhotoError('图片已损坏或过大，无法处理');
  }
}
