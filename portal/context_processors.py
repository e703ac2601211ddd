from django.utils.functional import SimpleLazyObject

from .permissions import roles_for


def roles(request):
    """Expose the current user's roles to every template, computed only when used."""
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}
