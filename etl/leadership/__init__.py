"""Leadership extracts (`cax extract`): the summary workbook, the brief as PDF and HTML, from the marts.

``figures`` reads the marts once; ``words`` writes figures the way the Ministry's reports do;
``brief`` composes the sentences; ``workbook``, ``charts``, ``pdf`` and ``html`` write the files.
"""
