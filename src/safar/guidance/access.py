"""Who edits the public guide: whoever holds the guidance app's change permission (editors and
administrators, see apps.py). The menu, the home page and the article pages ask this."""


def is_editor(user) -> bool:
    return user.is_authenticated and user.has_perm("guidance.change_article")
