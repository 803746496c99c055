"""Rules of insured units' batch registration (投保單位整批註冊), each with where it comes from.

Seed 000, "投保單位整批註冊-製作檔案" and "-上傳檔案": columns national ID (A) and e-mail (B)
required, mobile (C) and phone (D) optional; no header row; file name = unit code + ROC date
of the application (YYYMMDD) + .csv; CSV (comma separated) only.
"""

from __future__ import annotations

# Seed 000: 身分證號(A欄)、電子郵件(B欄)為必填欄位。手機號碼(C欄)、市話號碼(D欄)可填可不填.
COLUMNS = ("national_id", "email", "mobile", "phone")
MAX_COLUMNS = len(COLUMNS)

# The seed gives no limit. One synchronous request registers every row (a mail and a few
# writes each), so a file stays small enough to finish well within a request's time;
# larger units upload several files.
MAX_ROWS = 5_000

# 5,000 rows of the longest values allowed (10 + 254 + 10 + 25 characters, commas, CRLF)
# stay under 2 MB; anything much larger is refused before it is decoded.
MAX_FILE_BYTES = 4 * 1024 * 1024

# Seed 000 上傳檔案: (只限上傳.csv).
FILE_SUFFIX = ".csv"

# Excel in Taiwan saves "CSV (逗號分隔)" in CP950 (Big5 with Microsoft's additions);
# "CSV UTF-8" adds a byte-order mark, which utf-8-sig removes.
ENCODINGS = ("utf-8-sig", "cp950")

# Words of the seed's example header row (身分證號 電子郵件 行動電話 聯絡電話), and of an
# English one, that never appear in a national ID: the first row holding one is a header.
HEADER_WORDS = ("身分證", "身份證", "證號", "電子郵件", "national id", "id no", "e-mail", "email")
