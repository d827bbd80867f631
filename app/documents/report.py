"""The laporan hasil rakor as plain data."""


def build_report_context(meeting_id: int):
    raise NotImplementedError
