"""Queries of the public site."""


def org_public_summary(org):
    return {}
