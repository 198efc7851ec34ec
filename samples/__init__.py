"""Sample submissions for demos, tests and benchmarks: synthetic provincial workbooks of both
eras with a truth file. Not the product: `etl` never imports it, and its extra dependencies are
the optional group `samples` (`uv sync --extra samples`, or `pip install -e '.[samples]'`).

``generate_samples`` writes three kinds of submission (``ALL_KINDS``), laid out as in
``docs/template.md``:

* ``monthly_2021``: the April 2021 monthly report of each of the 63 legacy provinces (era
  ``pre2025``, the units of the list of 3/2/2021, in force then), one workbook with the sheets
  "Biểu 01 - Bố trí CA chính quy" (staffing as of 23/4/2021), "Biểu 02 - Tình hình ANTT"
  (security activity of the month, one row per in-scope commune) and "Biểu 04 - Khen thưởng"
  (commendations by level).
* ``id_card_2021``: the CCCD (chip-based ID card) campaign, sheet "Biểu 03 - Thu nhận hồ sơ
  CCCD" alone, one workbook per province and half-month from 1/4 to 30/6/2021 (378 files), each
  listing every day of its half-month for every district, under a header cell with the
  province's target and deadline.
* ``monthly_2026``: the October 2026 monthly report (sheets 01, 02, 04) of each of the 34 new
  provinces (era ``2025``, the units of the list of 1/7/2025): no district column, one row per
  xã, phường and đặc khu.

Many workbooks depart from the template as real submissions do (``DEPARTURES``); five broken
files lie beside the April 2021 reports (``BROKEN_FILES``); some monthly workbooks carry seeded
faults (``FAULTS``); and ``truth.json`` records what every workbook holds and where. The same
seed gives the same bytes, whichever kinds are asked for.

The modules, by concern:

* ``kinds``: the three kinds, their periods, the CCCD campaign's dates and the template's sheets.
* ``units``: the provinces, districts and communes of the unit list in force on each period's date.
* ``population``: the 63 provinces' population (2019 census), the CCCD figures' size measure.
* ``spelling``: how a workbook spells names, numbers and dates (``Style``).
* ``figures``: the staffing, activity, commendation and CCCD figures, shaped like the article.
* ``departures``: which departures from the template each workbook shows.
* ``plan``: everything decided for one workbook before it is written; file names, arrival times.
* ``books``: the workbook backends' common interface, and the .xlsx backend (xlsxwriter).
* ``legacy``: the .xls backend (xlwt).
* ``tables``: a data sheet as a table: columns, headers, title rows, cells, sums; writing it.
* ``monthly``: the monthly report's sheets 01, 02 and 04 as tables.
* ``faults``: the seeded faults and the edits that make them.
* ``workbooks``: writing a monthly or half-month CCCD workbook file.
* ``broken``: the broken files.
* ``truth``: the truth entries and ``truth.json``.
* ``generator``: ``generate_samples``, which calls them in order.
"""

from samples.broken import BROKEN_FILES, BROKEN_PASSWORD
from samples.departures import DEPARTURES
from samples.faults import FAULTS
from samples.generator import generate_samples
from samples.kinds import ALL_KINDS

__all__ = ["ALL_KINDS", "BROKEN_FILES", "BROKEN_PASSWORD", "DEPARTURES", "FAULTS", "generate_samples"]
