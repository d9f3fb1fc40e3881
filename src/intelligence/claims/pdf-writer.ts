/**
 * A small PDF 1.4 writer (pure, no dependencies): text in the standard Type 1 fonts Helvetica
 * and Helvetica-Bold (WinAnsiEncoding, no font embedded: every PDF reader has them, PDF 1.4
 * reference §5.5.1 "Standard Type 1 Fonts"), wrapped paragraphs, tables with ruled cells whose
 * header row repeats on every page, and page breaks. A4 portrait, uncompressed content streams.
 *
 * Text is laid out with the fonts' AFM advance widths (Adobe's Helvetica / Helvetica-Bold AFM
 * files, 1/1000 em); characters outside WinAnsiEncoding are replaced (→ by "->", others by "?").
 */

export interface PdfColumn {
  readonly title: string;
  /** Share of the text width (the shares are normalised). */
  readonly width: number;
}

export interface PdfDocumentOptions {
  readonly title?: string;
  /** Printed at the foot of every page with "page n of m". */
  readonly footer?: string;
  readonly creationDate?: Date;
}

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 42;
const FOOT = 28;

// AFM widths for the characters 32..126 (space .. tilde).
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278,
  556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584,
  556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556,
  333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/** WinAnsiEncoding code points 0x80..0x9F (PDF 1.4 reference, Appendix D). */
const WIN_ANSI_HIGH: Readonly<Record<string, number>> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};
const REPLACE: Readonly<Record<string, string>> = { '→': '->', '←': '<-', '≤': '<=', '≥': '>=', '×': 'x' };

type Font = 'F1' | 'F2';

/** The text as WinAnsi byte codes (replacing what the encoding lacks). */
export function winAnsi(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.replace(/[\t\r\n]+/g, ' ')) {
    const r = REPLACE[ch];
    if (r !== undefined) {
      for (const c of r) out.push(c.charCodeAt(0));
      continue;
    }
    const cp = ch.codePointAt(0) ?? 63;
    if ((cp >= 32 && cp <= 126) || (cp >= 0xa0 && cp <= 0xff)) out.push(cp);
    else out.push(WIN_ANSI_HIGH[ch] ?? 63);
  }
  return out;
}

function widthOf(codes: readonly number[], font: Font, size: number): number {
  const table = font === 'F2' ? HELVETICA_BOLD : HELVETICA;
  let w = 0;
  for (const c of codes) w += c >= 32 && c <= 126 ? table[c - 32]! : 556;
  return (w * size) / 1000;
}

/** Wraps text into lines no wider than `max` points (breaking at spaces, long words hard). */
export function wrapText(text: string, font: Font, size: number, max: number): number[][] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: number[][] = [];
  let line: number[] = [];
  const space = widthOf([32], font, size);
  let lineW = 0;
  for (const word of words) {
    let codes = winAnsi(word);
    let w = widthOf(codes, font, size);
    if (line.length > 0 && lineW + space + w <= max) {
      line.push(32, ...codes);
      lineW += space + w;
      continue;
    }
    if (line.length > 0) lines.push(line);
    line = [];
    lineW = 0;
    while (w > max && codes.length > 1) {
      let n = codes.length - 1;
      while (n > 1 && widthOf(codes.slice(0, n), font, size) > max) n--;
      lines.push(codes.slice(0, n));
      codes = codes.slice(n);
      w = widthOf(codes, font, size);
    }
    line = codes;
    lineW = w;
  }
  if (line.length > 0 || lines.length === 0) lines.push(line);
  return lines;
}

function literal(codes: readonly number[]): string {
  let s = '(';
  for (const c of codes) {
    if (c === 0x28 || c === 0x29 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c < 32 || c > 126) s += `\\${c.toString(8).padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return `${s})`;
}

const n = (v: number): string => (Math.round(v * 100) / 100).toString();

export class PdfDocument {
  private readonly pages: string[][] = [];
  private ops: string[] = [];
  private y = 0;
  private readonly width = PAGE_W - 2 * MARGIN;

  constructor(private readonly options: PdfDocumentOptions = {}) {
    this.newPage();
  }

  private newPage(): void {
    this.ops = [];
    this.pages.push(this.ops);
    this.y = PAGE_H - MARGIN;
  }

  private room(h: number): void {
    if (this.y - h < MARGIN + FOOT) this.newPage();
  }

  private text(x: number, y: number, codes: readonly number[], font: Font, size: number): void {
    this.ops.push(`BT /${font} ${n(size)} Tf ${n(x)} ${n(y)} Td ${literal(codes)} Tj ET`);
  }

  /** A bold heading. */
  heading(text: string, size = 16): this {
    return this.paragraph(text, { size, bold: true, after: size * 0.5 });
  }

  /** A wrapped paragraph; breaks the page when a line does not fit. */
  paragraph(
    text: string,
    o: { readonly size?: number; readonly bold?: boolean; readonly after?: number } = {},
  ): this {
    const size = o.size ?? 10;
    const font: Font = o.bold === true ? 'F2' : 'F1';
    const lead = size * 1.3;
    for (const line of wrapText(text, font, size, this.width)) {
      this.room(lead);
      this.y -= lead;
      this.text(MARGIN, this.y + size * 0.25, line, font, size);
    }
    this.y -= o.after ?? size * 0.6;
    return this;
  }

  /**
   * A table with ruled cells; the header row is repeated on each page the table runs over, and
   * a row taller than the rest of a page is continued on the next one.
   */
  table(columns: readonly PdfColumn[], rows: readonly (readonly string[])[], size = 8): this {
    const total = columns.reduce((a, c) => a + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const pad = 3;
    const lead = size * 1.25;
    const wrap = (cells: readonly string[], font: Font): number[][][] =>
      widths.map((w, i) => wrapText(cells[i] ?? '', font, size, w - 2 * pad));
    const header = wrap(
      columns.map((c) => c.title),
      'F2',
    );
    const headerH = Math.max(...header.map((l) => l.length)) * lead + 2 * pad;
    const drawRow = (cells: readonly (readonly number[][])[], font: Font, h: number): void => {
      let x = MARGIN;
      const top = this.y;
      for (let i = 0; i < widths.length; i++) {
        this.ops.push(`${n(x)} ${n(top - h)} ${n(widths[i]!)} ${n(h)} re S`);
        const lines = cells[i] ?? [];
        for (let k = 0; k < lines.length; k++)
          this.text(x + pad, top - pad - (k + 1) * lead + size * 0.25, lines[k]!, font, size);
        x += widths[i]!;
      }
      this.y -= h;
    };
    const drawHeader = (): void => {
      this.ops.push('0.9 g');
      this.ops.push(`${n(MARGIN)} ${n(this.y - headerH)} ${n(this.width)} ${n(headerH)} re f`);
      this.ops.push('0 g');
      drawRow(header, 'F2', headerH);
    };
    this.ops.push('0.5 w');
    this.room(headerH + lead + 2 * pad);
    drawHeader();
    for (const row of rows) {
      let cells = wrap(row, 'F1');
      for (;;) {
        const lines = Math.max(1, ...cells.map((l) => l.length));
        const fit = Math.floor((this.y - MARGIN - FOOT - 2 * pad) / lead);
        if (fit >= lines) {
          drawRow(cells, 'F1', lines * lead + 2 * pad);
          break;
        }
        if (fit >= 3) {
          drawRow(
            cells.map((l) => l.slice(0, fit)),
            'F1',
            fit * lead + 2 * pad,
          );
          cells = cells.map((l) => l.slice(fit));
        }
        this.newPage();
        this.ops.push('0.5 w');
        drawHeader();
      }
    }
    this.y -= size;
    return this;
  }

  /** Vertical space in points. */
  space(h: number): this {
    this.y -= h;
    return this;
  }

  /** The PDF file. */
  toBuffer(): Buffer {
    const objects: string[] = [];
    const add = (body: string): number => objects.push(body);
    const catalog = add('');
    const pagesObj = add('');
    const f1 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
    const f2 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
    const kids: number[] = [];
    const count = this.pages.length;
    this.pages.forEach((ops, i) => {
      const foot = winAnsi(
        `${this.options.footer ? `${this.options.footer} - ` : ''}page ${i + 1} of ${count}`,
      );
      const stream = [...ops, `BT /F1 7 Tf ${n(MARGIN)} ${n(MARGIN - 10)} Td ${literal(foot)} Tj ET`].join(
        '\n',
      );
      const content = add(
        `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
      );
      kids.push(
        add(
          `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${n(PAGE_W)} ${n(PAGE_H)}] ` +
            `/Resources << /Font << /F1 ${f1} 0 R /F2 ${f2} 0 R >> >> /Contents ${content} 0 R >>`,
        ),
      );
    });
    objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
    objects[pagesObj - 1] =
      `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${count} >>`;
    const d = this.options.creationDate;
    const date =
      d === undefined ? '' : ` /CreationDate (D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`;
    const info = add(
      `<< /Producer (idocgate)${this.options.title ? ` /Title ${literal(winAnsi(this.options.title))}` : ''}${date} >>`,
    );
    let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(Buffer.byteLength(out, 'latin1'));
      out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    });
    const xref = Buffer.byteLength(out, 'latin1');
    out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    for (const o of offsets) out += `${o.toString().padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  }
}
