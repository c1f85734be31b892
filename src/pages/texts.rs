//! The wording of the pages and of the e-mails' HTML part, in English, French and Korean.

/// Everything a page says, in one language.
pub(super) struct PageTexts {
    /// The `lang` attribute.
    pub lang: &'static str,
    /// Title of the survey page; `{location}` is inserted.
    pub survey_title: &'static str,
    /// Says the score a click recorded; `{score}` is inserted.
    pub recorded: &'static str,
    /// Under the 0–10 scale, at 0.
    pub scale_low: &'static str,
    /// Under the 0–10 scale, at 10.
    pub scale_high: &'static str,
    /// Accessible name of score `{score}` on the 0–10 scale.
    pub score_name: &'static str,
    /// Accessible name of `{stars}` of `{scale}` stars.
    pub stars_name: &'static str,
    /// The consent to be replied to (F2).
    pub consent: &'static str,
    /// The submit button.
    pub submit: &'static str,
    /// "Optional" after a question.
    pub optional: &'static str,
    /// Title of the thank-you page.
    pub thanks_title: &'static str,
    /// Body of the thank-you page; `{location}` is inserted.
    pub thanks_body: &'static str,
    /// Invitation to the public review (N3); `{location}` is inserted.
    pub review_offer: &'static str,
    /// The review link's text.
    pub review_button: &'static str,
    /// Title of the expired-link page.
    pub expired_title: &'static str,
    /// Body of the expired-link page.
    pub expired_body: &'static str,
    /// Title of the unsubscribe confirmation.
    pub unsubscribed_title: &'static str,
    /// Body of the unsubscribe confirmation (E3: every location).
    pub unsubscribed_body: &'static str,
}

const EN: PageTexts = PageTexts {
    lang: "en",
    survey_title: "Your opinion of {location}",
    recorded: "You gave us {score} out of 10. Thank you! Would you tell us a little more?",
    scale_low: "0 = not at all likely",
    scale_high: "10 = extremely likely",
    score_name: "{score} out of 10",
    stars_name: "{stars} of {scale} stars",
    consent: "You may reply to me about my answer",
    submit: "Send",
    optional: "optional",
    thanks_title: "Thank you!",
    thanks_body: "Your answer about {location} has been received. It helps us do better.",
    review_offer: "Would you share your experience of {location} with others?",
    review_button: "Write a public review",
    expired_title: "This survey link has expired",
    expired_body: "Thank you for your interest. This link no longer takes answers.",
    unsubscribed_title: "You are unsubscribed",
    unsubscribed_body: "You will receive no more surveys from us, whichever of our locations \
        you visit.",
};

const FR: PageTexts = PageTexts {
    lang: "fr",
    survey_title: "Votre avis sur {location}",
    recorded: "Vous nous avez donné {score} sur 10. Merci ! Pouvez-vous nous en dire un \
        peu plus ?",
    scale_low: "0 = pas du tout probable",
    scale_high: "10 = très probable",
    score_name: "{score} sur 10",
    stars_name: "{stars} étoiles sur {scale}",
    consent: "Vous pouvez me répondre au sujet de mon avis",
    submit: "Envoyer",
    optional: "facultatif",
    thanks_title: "Merci !",
    thanks_body: "Nous avons bien reçu votre avis au sujet de {location}. Il nous aide à \
        nous améliorer.",
    review_offer: "Partageriez-vous votre expérience chez {location} avec d'autres clients ?",
    review_button: "Laisser un avis public",
    expired_title: "Ce lien d'enquête a expiré",
    expired_body: "Merci de votre intérêt. Ce lien n'accepte plus de réponses.",
    unsubscribed_title: "Votre désinscription est confirmée",
    unsubscribed_body: "Vous ne recevrez plus d'enquêtes de notre part, quel que soit le \
        magasin où vous vous rendez.",
};

const KO: PageTexts = PageTexts {
    lang: "ko",
    survey_title: "{location}에 대한 의견",
    recorded: "10점 만점에 {score}점을 주셨습니다. 감사합니다! 조금 더 말씀해 주시겠어요?",
    scale_low: "0 = 전혀 추천하지 않음",
    scale_high: "10 = 적극 추천",
    score_name: "10점 만점에 {score}점",
    stars_name: "{scale}개 중 별 {stars}개",
    consent: "제 응답에 대해 답변을 받아도 좋습니다",
    submit: "보내기",
    optional: "선택",
    thanks_title: "감사합니다!",
    thanks_body: "{location}에 대한 소중한 의견이 접수되었습니다. 더 나은 서비스를 위해 \
        활용하겠습니다.",
    review_offer: "{location}에서의 경험을 다른 고객과 나눠 주시겠어요?",
    review_button: "공개 후기 작성하기",
    expired_title: "만료된 설문 링크입니다",
    expired_body: "관심을 가져 주셔서 감사합니다. 이 링크로는 더 이상 응답할 수 없습니다.",
    unsubscribed_title: "수신 거부가 완료되었습니다",
    unsubscribed_body: "어느 매장을 이용하시든 더 이상 설문을 보내 드리지 않습니다.",
};

/// The page wording for the first language of `chain` hearken has pages in (else English).
pub(super) fn texts(language: &str) -> &'static PageTexts {
    match page_language(&[language.to_owned()]) {
        "fr" => &FR,
        "ko" => &KO,
        _ => &EN,
    }
}

/// The language hearken's pages are written in for a language chain (most wanted first):
/// `en`, `fr` or `ko`, English when none of the chain is one of them.
pub fn page_language(chain: &[String]) -> &'static str {
    chain
        .iter()
        .map(|l| crate::rules::template::primary(l))
        .find_map(|p| ["en", "fr", "ko"].into_iter().find(|k| *k == p))
        .unwrap_or("en")
}
