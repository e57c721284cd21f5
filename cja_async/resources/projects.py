"""``cja.projects``: Workspace projects."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Literal, Unpack

from .._paging import AsyncPager
from ..models.projects import Project, ProjectValidation
from ._base import RequestOptions, Resource, body_of, check_id, model_arg, path, query

__all__ = ["ProjectIncludeType", "Projects"]

ProjectIncludeType = Literal["all", "shared"]

_CHOICES = {"include_type": ("all", "shared")}
# Adobe caps a page of projects at 1000.
_MAX_LIMIT = 1000


def _check_project(project: object) -> Project:
    return model_arg(project, Project, "project")


class Projects(Resource, group="projects"):
    """Workspace projects: list, get, get_many, create, update (whole), delete, validate."""

    def list(
        self,
        *,
        owner_id: str | None = None,
        filter_by_ids: Sequence[str] | None = None,
        include_type: Sequence[ProjectIncludeType] | None = None,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        pagination: bool | None = None,
        limit: int | None = None,
        page: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Project]:
        """Projects visible to the caller; ``owner_id`` keeps one user's projects.

        ``expansion`` adds members (``definition``, ``tags``, ``shares``, ``modified``,
        ``accessLevel``, ``externalReferences``); ``include_type`` adds projects the caller
        does not own (``shared``, or ``all`` for admins). ``limit`` is at most 1000;
        ``pagination=False`` fetches the whole result in one request.
        """
        params = query(
            _CHOICES,
            owner_id=owner_id,
            filter_by_ids=filter_by_ids,
            include_type=include_type,
            expansion=expansion,
            locale=locale,
            pagination=pagination,
        )
        return self._pager(
            Project,
            "/projects",
            params,
            limit=limit,
            page=page,
            pagination=pagination,
            options=options,
        )

    async def get(
        self,
        project_id: str,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Project:
        """One project."""
        url = path("/projects/{}", check_id(project_id, "project_id"))
        return await self._get(Project, url, expansion=expansion, locale=locale, options=options)

    async def get_many(
        self,
        project_ids: Iterable[str],
        *,
        expansion: Sequence[str] | None = None,
        include_type: Sequence[ProjectIncludeType] | None = ("all",),
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Project]:
        """Many projects by id, in the order of ``project_ids``, in as few requests as the
        URL length allows (``filterByIds``). Raises ``NotFoundError`` naming missing ids.

        ``include_type`` defaults to ``all`` so projects of every owner are found.
        """
        params = query(_CHOICES, expansion=expansion, include_type=include_type, locale=locale)
        return await self._get_many(
            Project,
            "/projects",
            project_ids,
            params=params,
            max_limit=_MAX_LIMIT,
            name="project_ids",
            options=options,
        )

    async def create(
        self,
        project: Project,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Project:
        """Create a project; returns it with its new ``id``. Not retried after it may have
        reached the server (see ``OutcomeUnknownError``)."""
        body = body_of(_check_project(project))
        params = query(expansion=expansion, locale=locale)
        return await self._call(
            Project, "POST", "/projects", params=params, body=body, options=options
        )

    async def update(
        self,
        project_id: str,
        project: Project,
        *,
        expansion: Sequence[str] | None = None,
        locale: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Project:
        """Overwrite a project. Fetch it (with ``expansion=["definition"]``), change it,
        send it back: members this version of cja-async does not know are kept."""
        url = path("/projects/{}", check_id(project_id, "project_id"))
        body = body_of(_check_project(project))
        params = query(expansion=expansion, locale=locale)
        return await self._call(Project, "PUT", url, params=params, body=body, options=options)

    async def delete(
        self, project_id: str, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a project."""
        url = path("/projects/{}", check_id(project_id, "project_id"))
        await self._send("DELETE", url, params=query(locale=locale), options=options)

    async def validate(
        self, project: Project, *, locale: str | None = None, **options: Unpack[RequestOptions]
    ) -> ProjectValidation:
        """Check a project (its ``definition`` above all) without saving it. Only reads, so
        it is retried like a GET."""
        body = {"project": body_of(_check_project(project))}
        params = query(locale=locale)
        url = "/projects/validate"
        return await self._call(
            ProjectValidation, "POST", url, params=params, body=body, reads=True, options=options
        )
