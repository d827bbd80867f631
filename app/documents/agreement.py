"""The berita acara kesepakatan as plain data."""


def build_agreement_context(meeting_id: int):
    raise NotImplementedError
