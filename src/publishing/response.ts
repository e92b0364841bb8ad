/**
 * A reply to one of the pod's posts, as the operator API and the post's page show it. Declared here, below the
 * social room that supplies it (RoomHost.social.responsesTo), so publishing never imports the social room.
 */
export interface Response {
  author: string;
  authorUrl: string;
  content: string;
  url: string;
  visibility: string;
  published: string;
}
