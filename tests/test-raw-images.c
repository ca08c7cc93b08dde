/* test-raw-images.c: PNGs byte by byte (grey, 16-bit, alpha, impossible
 * sizes) and CMYK JPEGs
 *
 * SPDX-License-Identifier: MIT
 *
 * gdk-pixbuf saves only 8-bit RGB(A), so the tests write the other formats
 * that cameras and editors produce themselves: signature, IHDR, one zlib
 * IDAT of unfiltered rows, IEND, each chunk with its CRC-32.
 */
#include "config.h"

#include <stdio.h>
#include <gio/gio.h>
#include <jpeglib.h>

#include "test-raw-images.h"

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         length)
{
  static guint32 table[256];

  if (table[1] == 0)
    for (guint32 n = 0; n < 256; n++)
      {
        guint32 c = n;

        for (int k = 0; k < 8; k++)
          c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
      }
  for (gsize i = 0; i < length; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

static void
put_be32 (GByteArray *out,
          guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         length)
{
  guint32 crc = 0xffffffffu;

  put_be32 (out, (guint32) length);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (length > 0)
    g_byte_array_append (out, data, (guint) length);
  crc = crc32_update (crc, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, length);
  put_be32 (out, crc ^ 0xffffffffu);
}

static GBytes *
zlib_compress (const guint8 *data,
               gsize         length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_data (data, (gssize) length, NULL);
  g_autoptr(GInputStream) zipped = g_converter_input_stream_new (raw, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (sink, zipped, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

GBytes *
test_png_bytes (int      width,
                int      height,
                int      bit_depth,
                int      color_type,
                gboolean header_only)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  int channels = color_type == TEST_PNG_GREY ? 1 : color_type == TEST_PNG_GREY_ALPHA ? 2
               : color_type == TEST_PNG_RGB ? 3 : 4;
  gsize row_bytes = (gsize) width * channels * (bit_depth / 8);
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[13];

  g_assert_true (bit_depth == 8 || bit_depth == 16);
  g_assert_true (width > 0 && height > 0);

  g_byte_array_append (out, signature, 8);
  ihdr[0] = width >> 24; ihdr[1] = width >> 16; ihdr[2] = width >> 8; ihdr[3] = width;
  ihdr[4] = height >> 24; ihdr[5] = height >> 16; ihdr[6] = height >> 8; ihdr[7] = height;
  ihdr[8] = bit_depth;
  ihdr[9] = color_type;
  ihdr[10] = ihdr[11] = ihdr[12] = 0;   /* deflate, adaptive filters, no interlace */
  put_chunk (out, "IHDR", ihdr, sizeof ihdr);

  if (header_only)
    put_chunk (out, "IDAT", NULL, 0);
  else
    {
      gsize stride = 1 + row_bytes;
      g_autofree guint8 *raw = g_malloc0 (stride * height);
      g_autoptr(GBytes) zipped = NULL;
      gsize zipped_length;
      const guint8 *zipped_data;

      for (int y = 0; y < height; y++)
        {
          guint8 *row = raw + (gsize) y * stride + 1;   /* filter byte 0: none */

          for (gsize i = 0; i < row_bytes; i++)
            {
              gsize x = i / (channels * (bit_depth / 8));
              int c = (int) (i / (bit_depth / 8)) % channels;

              /* Alpha channels are half opaque on the left, opaque on the right */
              if ((color_type == TEST_PNG_GREY_ALPHA && c == 1) || (color_type == TEST_PNG_RGBA && c == 3))
                row[i] = x < (gsize) width / 2 ? 0x80 : 0xff;
              else
                row[i] = (guint8) (40 + (x * 160) / width + (y * 40) / height + 10 * c);
            }
        }
      zipped = zlib_compress (raw, stride * height);
      zipped_data = g_bytes_get_data (zipped, &zipped_length);
      put_chunk (out, "IDAT", zipped_data, zipped_length);
    }
  put_chunk (out, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (out);
}

void
test_write_png (const char *path,
                int         width,
                int         height,
                int         bit_depth,
                int         color_type,
                gboolean    header_only)
{
  g_autoptr(GBytes) bytes = test_png_bytes (width, height, bit_depth, color_type, header_only);
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
}

void
test_write_cmyk_jpeg (const char *path,
                      int         width,
                      int         height)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  g_autofree guint8 *row = g_new (guint8, (gsize) width * 4);
  FILE *file = fopen (path, "wb");

  g_assert_nonnull (file);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, file);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults (&cinfo);
  jpeg_set_colorspace (&cinfo, JCS_CMYK);
  /* Adobe's marker says the values are inverted, as Photoshop writes them */
  cinfo.write_Adobe_marker = TRUE;
  jpeg_set_quality (&cinfo, 95, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW rows[1] = { row };
      int y = (int) cinfo.next_scanline;

      for (int x = 0; x < width; x++)
        {
          row[x * 4 + 0] = (guint8) (255 - (x * 200) / width);    /* inverted cyan */
          row[x * 4 + 1] = (guint8) (255 - (y * 200) / height);   /* inverted magenta */
          row[x * 4 + 2] = 200;                                     /* inverted yellow */
          row[x * 4 + 3] = 230;                                     /* inverted black */
        }
      jpeg_write_scanlines (&cinfo, rows, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  g_assert_cmpint (fclose (file), ==, 0);
}
