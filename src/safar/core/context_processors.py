from django.conf import settings


def navigation(request):
    """Values every page needs: the languages for the switcher."""
    return {"safar_languages": settings.LANGUAGES}
